/* x87/SSE state of vCPUs (Xen's i387.c, our code): FXSAVE when a vCPU
 * leaves a pCPU, FXRSTOR when one arrives.  AMD CPUs without
 * RstrFpErrPtrs (CPUID 0x80000008 EBX bit 2) neither save nor restore
 * the x87 error pointers FIP, FDP and FOP unless an unmasked exception is
 * pending, so the previous domain's last x87 instruction and data address
 * would survive into the next one (FNSTENV shows them): as Xen does, the
 * restore first loads fixed values into them (FNCLEX, FFREE ST7, FILD of
 * the save area) when the incoming state has no exception pending.
 * Also the guest's virtual CR0.TS (fpu_taskswitch) and its #NM. */
#include "i387.h"
#include "domain.h"
#include "emulate.h"
#include "hypercall.h"
#include "traps.h"
#include "lab.h"
#include "lib.h"
#include "x86.h"

bool cpu_bug_fpu_ptrs;

void fpu_init(void)
{
    uint32_t a, b, c, d, max_ext;

    if (boot_cpu_vendor != CPU_VENDOR_AMD)
        return;
    cpuid_count(0x80000000, 0, &max_ext, &b, &c, &d);
    b = 0;
    if (max_ext >= 0x80000008)
        cpuid_count(0x80000008, 0, &a, &b, &c, &d);
    cpu_bug_fpu_ptrs = !(b & (1U << 2));
}

/* Hardware CR0.TS is set exactly while the running vCPU has set its
 * virtual TS (fpu_taskswitch, or mov to CR0): clear it around the hv's
 * own FXSAVE/FXRSTOR. */
void vcpu_save_fpu(struct vcpu *v)
{
    if (unlikely(v->ctrlreg[0] & X86_CR0_TS))
        clts();
    __asm__ volatile("fxsave64 %0" : "=m"(v->fpu));
}

void vcpu_restore_fpu(struct vcpu *v)
{
    uint16_t fcw = *(const uint16_t *)&v->fpu[0], fsw = *(const uint16_t *)&v->fpu[2];

    if (cpu_bug_fpu_ptrs && !(fsw & ~fcw & 0x3f)) {
        __asm__ volatile("fnclex; ffree %%st(7); fildl %0" :: "m"(*(const uint32_t *)v->fpu));
        this_cpu_count(fpu_scrub, 1);
    }
    __asm__ volatile("fxrstor64 %0" :: "m"(v->fpu));
    if (unlikely(v->ctrlreg[0] & X86_CR0_TS))
        write_cr0(read_cr0() | X86_CR0_TS);
}

/* CR0.TS as the guest sets it (Xen's do_fpu_taskswitch); v is current.
 * The state stays loaded (eager switching): TS only makes the guest's
 * next FPU instruction raise #NM. */
void pv_fpu_taskswitch(struct vcpu *v, bool set)
{
    if (set) {
        v->ctrlreg[0] |= X86_CR0_TS;
        write_cr0(read_cr0() | X86_CR0_TS);
    } else {
        v->ctrlreg[0] &= ~X86_CR0_TS;
        clts();
    }
}

long do_fpu_taskswitch(unsigned long set, unsigned long a2, unsigned long a3,
                       unsigned long a4, unsigned long a5)
{
    pv_fpu_taskswitch(current, set);
    return 0;
}

/* #NM from the guest: its virtual TS was set, so it gets the #NM, and
 * (as Xen's PV ABI has it) TS is clear when its handler runs. */
void pv_do_device_not_available(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    clts();
    if (v->ctrlreg[0] & X86_CR0_TS) {
        v->ctrlreg[0] &= ~X86_CR0_TS;
        pv_inject_trap(regs, TRAP_no_device, false, 0, 0);
    }
}
