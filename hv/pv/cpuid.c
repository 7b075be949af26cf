/* CPUID as a 64-bit PV guest sees it through emulation (the forced-
 * emulation prefix, or CPUID faulting): Xen's PV policy, built from the
 * host's leaves and the PV column of Xen's featureset
 * (public/arch-x86/cpufeatureset.h: the 'A' features), plus Xen's
 * hypervisor leaves at 0x40000000.  A native CPUID that does not fault
 * still returns the host's values, as on Xen without CPUID faulting.
 *
 * Deviation (README): XSAVE and every feature with XSAVE state (AVX,
 * AVX2, AVX-512, FMA, F16C, XOP, FMA4) are hidden, because the hv
 * switches only FXSAVE state between vCPUs; APIC and x2APIC are hidden
 * as Xen hides them from PV guests. */
#include "cpuid.h"
#include "domain.h"
#include "lib.h"
#include "x86.h"

#define B(n) (1U << (n))

/* Featureset word 0: leaf 1 EDX. */
static const uint32_t pv_1d = B(0) | B(2) | B(4) | B(5) | B(6) | B(7) | B(8) |
    B(11) | B(14) | B(15) | B(16) | B(19) | B(22) | B(23) | B(24) | B(25) |
    B(26) | B(27) | B(28);
/* Word 1: leaf 1 ECX (without XSAVE, AVX, FMA, F16C; OSXSAVE dynamic). */
static const uint32_t pv_1c = B(0) | B(1) | B(9) | B(13) | B(19) | B(20) |
    B(22) | B(23) | B(25) | B(30);
/* Word 2: leaf 0x80000001 EDX; on AMD also leaf 1 EDX's common bits. */
static const uint32_t pv_e1d = B(11) | B(20) | B(22) | B(25) | B(27) |
    B(29) | B(30) | B(31);
#define COMMON_1D (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | \
                   B(8) | B(9) | B(12) | B(13) | B(14) | B(15) | B(16) |   \
                   B(17) | B(23) | B(24))
/* Word 3: leaf 0x80000001 ECX (without XOP, FMA4). */
static const uint32_t pv_e1c = B(0) | B(1) | B(5) | B(6) | B(7) | B(8) |
    B(21) | B(26);
/* Word 5: leaf 7.0 EBX (without AVX2, AVX-512). */
static const uint32_t pv_7b0 = B(0) | B(3) | B(8) | B(9) | B(11) | B(18) |
    B(19) | B(23) | B(29);
/* Word 6: leaf 7.0 ECX (without the AVX-512 and VEX-encoded ones). */
static const uint32_t pv_7c0 = B(0) | B(8) | B(22) | B(25);
/* Word 9: leaf 7.0 EDX (FSRM, MD_CLEAR, SERIALIZE, IBRSB, STIBP, SSBD). */
static const uint32_t pv_7d0 = B(4) | B(10) | B(14) | B(26) | B(27) | B(31);
/* Word 8: leaf 0x80000008 EBX. */
static const uint32_t pv_e8b = B(0) | B(2) | B(12) | B(26) | B(29) | B(30);

#define MAX_BASIC 0xd
#define MAX_EXTD  0x80000008

static void hypervisor_leaves(uint32_t idx, uint32_t subleaf, struct cpuid_leaf *r)
{
    switch (idx) {
    case 0:
        r->a = 0x40000000 + XEN_CPUID_MAX_NUM_LEAVES;
        r->b = XEN_CPUID_SIGNATURE_EBX;
        r->c = XEN_CPUID_SIGNATURE_ECX;
        r->d = XEN_CPUID_SIGNATURE_EDX;
        break;
    case 1:
        r->a = ASILAB_XEN_VERSION;
        break;
    case 2:
        r->a = 1;                   /* hypercall pages */
        r->b = 0x40000000;          /* MSR base (unused by PV guests) */
        break;
    case 3:
        if (subleaf == 0)
            r->a = B(1);            /* host TSC safe, native TSC mode */
        break;
    default:                        /* 4: HVM only; 5: nothing offered */
        break;
    }
}

void guest_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
                 struct cpuid_leaf *r)
{
    uint32_t max;

    *r = (struct cpuid_leaf){ 0 };
    if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
        if (leaf - 0x40000000 <= XEN_CPUID_MAX_NUM_LEAVES)
            hypervisor_leaves(leaf - 0x40000000, subleaf, r);
        return;
    }
    if (leaf < 0x80000000) {
        cpuid_count(0, 0, &max, &r->b, &r->c, &r->d);
        max = MIN(max, (uint32_t)MAX_BASIC);
        if (leaf > max) {
            *r = (struct cpuid_leaf){ 0 };
            return;
        }
    } else {
        cpuid_count(0x80000000, 0, &max, &r->b, &r->c, &r->d);
        max = MIN(max, (uint32_t)MAX_EXTD);
        if (leaf > max) {
            *r = (struct cpuid_leaf){ 0 };
            return;
        }
    }
    cpuid_count(leaf, subleaf, &r->a, &r->b, &r->c, &r->d);

    switch (leaf) {
    case 0:
        r->a = max;
        break;
    case 1:
        r->b &= 0x00ffffff;                 /* no APIC ID */
        r->c = (r->c & pv_1c) | B(31);      /* HYPERVISOR */
        r->d &= pv_1d;
        break;
    case 5: case 6:                         /* MONITOR, power: not for PV */
        *r = (struct cpuid_leaf){ 0 };
        break;
    case 7:
        if (subleaf == 0) {
            r->a = 0;                       /* subleaf 0 only */
            r->b &= pv_7b0;
            r->c &= pv_7c0;
            r->d &= pv_7d0;
        } else {
            *r = (struct cpuid_leaf){ 0 };
        }
        break;
    case 0xa: case 0xd:                     /* no PMU, no XSAVE */
        *r = (struct cpuid_leaf){ 0 };
        break;
    case 0x80000000:
        r->a = max;
        break;
    case 0x80000001:
        r->d &= pv_e1d | (boot_cpu_vendor == CPU_VENDOR_AMD ? (pv_1d & COMMON_1D) : 0);
        r->c &= pv_e1c;
        break;
    case 0x80000007:
        r->d = 0;                           /* ITSC is off by default */
        break;
    case 0x80000008:
        r->b &= pv_e8b;
        break;
    default:
        break;
    }
    (void)v;
}
