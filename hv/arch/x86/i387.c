/* x87/SSE state of vCPUs (Xen's i387.c, our code): FXSAVE when a vCPU
 * leaves a pCPU, FXRSTOR when one arrives.  AMD CPUs without
 * RstrFpErrPtrs (CPUID 0x80000008 EBX bit 2) neither save nor restore
 * the x87 error pointers FIP, FDP and FOP unless an unmasked exception is
 * pending, so the previous domain's last x87 instruction and data address
 * would survive into the next one (FNSTENV shows them): as Xen does, the
 * restore first loads fixed values into them (FNCLEX, FFREE ST7, FILD of
 * the save area) when the incoming state has no exception pending. */
#include "i387.h"
#include "lab.h"
#include "lib.h"
#include "x86.h"

bool cpu_bug_fpu_ptrs;

void fpu_init(void)
{
    uint32_t a, b, c, d, max_ext;
    char vendor[13];

    cpuid_count(0, 0, &a, &b, &c, &d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = 0;
    if (strcmp(vendor, "AuthenticAMD") && strcmp(vendor, "HygonGenuine"))
        return;
    cpuid_count(0x80000000, 0, &max_ext, &b, &c, &d);
    b = 0;
    if (max_ext >= 0x80000008)
        cpuid_count(0x80000008, 0, &a, &b, &c, &d);
    cpu_bug_fpu_ptrs = !(b & (1U << 2));
}

void vcpu_save_fpu(struct vcpu *v)
{
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
}
