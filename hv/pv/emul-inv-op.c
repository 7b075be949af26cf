/* #UD from a PV guest, as Xen's arch/x86/pv/emul-inv-op.c: the forced-
 * emulation prefix `ud2a; .ascii "xen"` followed by CPUID is emulated
 * with the guest's CPUID policy (hv/pv/cpuid.c); any other instruction
 * after the prefix, and every other #UD, is delivered to the guest. */
#include "cpuid.h"
#include "domain.h"
#include "emulate.h"
#include "lib.h"
#include "traps.h"
#include "x86_decode.h"

bool pv_emulate_invalid_op(struct cpu_user_regs *regs)
{
    static const uint8_t sig[5] = { 0x0f, 0x0b, 'x', 'e', 'n' };
    static const uint8_t cpuid[2] = { 0x0f, 0xa2 };
    uint8_t b[X86_MAX_INSN_LEN];
    unsigned int n = pv_fetch_insn(regs->rip, b);

    if (n < 5) {
        /* Xen reads the signature with one copy: a short read faults. */
        pv_inject_page_fault(regs, regs->rip + n, false);
        return true;
    }
    if (memcmp(b, sig, sizeof(sig)))
        return false;
    if (n < 7) {
        pv_inject_page_fault(regs, regs->rip + n, false);
        return true;
    }
    if (memcmp(b + 5, cpuid, sizeof(cpuid)))
        return false;

    struct cpuid_leaf l;
    guest_cpuid(current, (uint32_t)regs->rax, (uint32_t)regs->rcx, &l);
    regs->rax = l.a;
    regs->rbx = l.b;
    regs->rcx = l.c;
    regs->rdx = l.d;
    pv_emul_instruction_done(regs, regs->rip + 7);
    return true;
}
