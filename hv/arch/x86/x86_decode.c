/* The small x86-64 decoder of hv/include/x86_decode.h: prefixes, then
 * the opcode, then what the opcode takes (a ModRM byte or an 8-bit
 * immediate).  Anything else is X86_DECODE_UNKNOWN, so callers treat it
 * as "not emulated" and deliver the original fault. */
#include "x86_decode.h"

static int segment_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: return 0;
    case 0x2e: return 1;
    case 0x36: return 2;
    case 0x3e: return 3;
    case 0x64: return 4;
    case 0x65: return 5;
    default:   return -1;
    }
}

/* Out of bytes: the caller may read more, unless the architectural
 * limit is reached (the CPU raises #GP for a longer instruction). */
#define SHORT_OR_LONG \
    (avail == X86_MAX_INSN_LEN ? X86_DECODE_UNKNOWN : X86_DECODE_SHORT)

enum x86_decode_result x86_decode(const uint8_t *buf, unsigned int avail,
                                  struct x86_insn *insn)
{
    unsigned int i = 0;
    uint8_t b;

    *insn = (struct x86_insn){ .seg = -1, .op_bytes = 4, .ad_bytes = 8 };
    if (avail > X86_MAX_INSN_LEN)
        avail = X86_MAX_INSN_LEN;

    /* Legacy prefixes in any order; a REX prefix counts only directly
     * before the opcode (a legacy prefix after it cancels it). */
    for (;; i++) {
        if (i >= avail)
            return SHORT_OR_LONG;
        b = buf[i];
        if ((b & 0xf0) == 0x40) {
            insn->rex = b;
            continue;
        }
        if (b == 0x66)
            insn->opsize_prefix = true;
        else if (b == 0x67)
            insn->ad_bytes = 4;
        else if (b == 0xf0)
            insn->lock = true;
        else if (b == 0xf2)
            insn->repne = true, insn->rep = false;
        else if (b == 0xf3)
            insn->rep = true, insn->repne = false;
        else if (segment_prefix(b) >= 0)
            insn->seg = segment_prefix(b);
        else
            break;
        insn->rex = 0;
    }
    if (insn->rex & 8)
        insn->op_bytes = 8;
    else if (insn->opsize_prefix)
        insn->op_bytes = 2;

    bool modrm = false, imm8 = false;
    b = buf[i++];
    if (b == 0x0f) {
        if (i >= avail)
            return SHORT_OR_LONG;
        b = buf[i++];
        insn->opc = X86_OPC_0F(b);
        switch (b) {
        case 0x01:                    /* group 7: register forms only */
        case 0x20: case 0x21: case 0x22: case 0x23:   /* mov cr/dr */
            modrm = true;
            break;
        case 0x06: case 0x08: case 0x09: case 0x0b:   /* clts invd wbinvd ud2 */
        case 0x30: case 0x31: case 0x32: case 0x33:   /* wrmsr rdtsc rdmsr rdpmc */
        case 0xa2:                                    /* cpuid */
            break;
        default:
            return X86_DECODE_UNKNOWN;
        }
    } else {
        insn->opc = b;
        switch (b) {
        case 0xcd: case 0xe4: case 0xe5: case 0xe6: case 0xe7:
            imm8 = true;
            break;
        case 0xcc: case 0xce:                         /* int3 into */
        case 0x6c: case 0x6d: case 0x6e: case 0x6f:   /* ins outs */
        case 0xec: case 0xed: case 0xee: case 0xef:   /* in/out %dx */
        case 0xf4: case 0xfa: case 0xfb:              /* hlt cli sti */
            break;
        default:
            return X86_DECODE_UNKNOWN;
        }
    }
    if (modrm) {
        if (i >= avail)
            return SHORT_OR_LONG;
        uint8_t m = buf[i++];
        insn->has_modrm = true;
        insn->modrm_mod = m >> 6;
        insn->modrm_reg = ((m >> 3) & 7) | ((insn->rex & 4) << 1);
        insn->modrm_rm = (m & 7) | ((insn->rex & 1) << 3);
        /* mov cr/dr ignore mod and always name registers; 0F 01 is
         * handled only in its register forms. */
        if (insn->opc == X86_OPC_0F(0x01) && insn->modrm_mod != 3)
            return X86_DECODE_UNKNOWN;
    }
    if (imm8) {
        if (i >= avail)
            return SHORT_OR_LONG;
        insn->imm8 = buf[i++];
    }
    insn->len = i;
    return X86_DECODE_OK;
}
