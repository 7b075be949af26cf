/* The PV guest CPUID policy (hv/pv/cpuid.c) and Xen's hypervisor
 * leaves (public/arch-x86/cpuid.h). */
#ifndef ASILAB_CPUID_H
#define ASILAB_CPUID_H
#include "types.h"

struct cpuid_leaf { uint32_t a, b, c, d; };

#define XEN_CPUID_SIGNATURE_EBX 0x566e6558   /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4d   /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566e   /* "nVMM" */
#define XEN_CPUID_MAX_NUM_LEAVES 5

/* XENVER_version and leaf 0x40000001: the Xen whose ABI is followed
 * (hv/pv/version.c's XEN_MAJOR/XEN_MINOR). */
#define ASILAB_XEN_VERSION ((4U << 16) | 17)

struct vcpu;
void guest_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
                 struct cpuid_leaf *res);

#endif
