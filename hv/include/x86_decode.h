/* A small x86-64 instruction decoder for exactly the instructions the
 * PV emulation paths handle (hv/pv/emul-priv-op.c, emul-inv-op.c, and
 * the #GP path that recognises `int $n`): legacy and REX prefixes, the
 * one-byte opcodes int3/int/into/in/out/ins/outs/cli/sti/hlt and the
 * 0F opcodes clts/wbinvd/mov cr/dr/wrmsr/rdtsc/rdmsr/cpuid/ud2 and the
 * 0F 01 register forms (rdtscp, xsetbv).  Pure code: it builds
 * freestanding for the hv and hosted for tests/unit/test_decode.c. */
#ifndef ASILAB_X86_DECODE_H
#define ASILAB_X86_DECODE_H
#include "types.h"

#define X86_MAX_INSN_LEN 15

/* Opcode space: one-byte opcodes as is, 0F xx as X86_OPC_0F(xx). */
#define X86_OPC_0F(b) (0x100 | (b))

struct x86_insn {
    unsigned int len;        /* bytes, prefixes included */
    unsigned int opc;        /* opcode, X86_OPC_0F() for two-byte */
    unsigned int op_bytes;   /* operand size: 2, 4 or 8 */
    unsigned int ad_bytes;   /* address size: 4 or 8 */
    uint8_t rex;             /* 0x40-0x4f, or 0 */
    int seg;                 /* segment override 0-5 (es cs ss ds fs gs), -1 */
    bool rep, repne, lock, opsize_prefix;
    bool has_modrm;
    uint8_t modrm_mod, modrm_reg, modrm_rm;   /* reg/rm extended by REX */
    uint8_t imm8;            /* int, in/out immediate */
};

enum x86_decode_result {
    X86_DECODE_OK = 0,
    X86_DECODE_SHORT = 1,    /* needs more bytes than `avail` */
    X86_DECODE_UNKNOWN = 2,  /* not one of the instructions above */
};

/* Decode the instruction at buf (avail bytes readable) as 64-bit code. */
enum x86_decode_result x86_decode(const uint8_t *buf, unsigned int avail,
                                  struct x86_insn *insn);

#endif
