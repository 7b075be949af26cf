/* The virtual machine-check MSRs of a PV vCPU (Xen's cpu/mcheck/vmce.c
 * vmce_rdmsr/vmce_wrmsr, reached from the RDMSR/WRMSR emulation as in
 * Xen's pv/emul-priv-op.c): MCG_CAP with Xen's two guest banks (Intel:
 * also SER, TES and CMCI, as INTEL_GUEST_MCG_CAP), MCG_STATUS as the
 * guest last wrote it, MCG_CTL absent (no MCG_CTL_P: reads 0, writes
 * ignored), MCG_EXT_CTL refused (no LMCE), and the banks' CTL (all
 * ones, writes ignored), STATUS/ADDR/MISC (0: asilab never injects a
 * machine check, so only 0 may be written, else #GP, as Xen), Intel's
 * MCi_CTL2 as written; the rest of Xen's vMCE MSR ranges (P5_MC_*, the
 * banks past the guest's two) read 0 and ignore writes. */
#include "domain.h"
#include "emulate.h"
#include "x86.h"

#define MSR_P5_MC_ADDR       0x00000000
#define MSR_P5_MC_TYPE       0x00000001
#define MSR_IA32_MCG_CAP     0x00000179
#define MSR_IA32_MCG_STATUS  0x0000017a
#define MSR_IA32_MCG_CTL     0x0000017b
#define MSR_IA32_MCG_EXT_CTL 0x000004d0
#define MSR_IA32_MC0_CTL     0x00000400
#define MSR_IA32_MC0_CTL2    0x00000280
#define GUEST_MC_BANK_NUM    2
#define MCG_CMCI_P           (1UL << 10)
#define MCG_TES_P            (1UL << 11)
#define MCG_SER_P            (1UL << 24)

/* Per vCPU, kept here so struct vcpu (and a context switch) is as it
 * was: what the guest wrote to MCG_STATUS and its banks' MCi_CTL2. */
static struct { uint64_t mcg_status, mci_ctl2[GUEST_MC_BANK_NUM]; }
    vmce_state[MAX_DOMAINS][MAX_VCPUS];
#define VMCE(v) (vmce_state[(v)->domain->domain_id][(v)->vcpu_id])

static uint64_t mcg_cap(void)
{
    return boot_cpu_vendor == CPU_VENDOR_INTEL
           ? MCG_SER_P | MCG_TES_P | MCG_CMCI_P | GUEST_MC_BANK_NUM : GUEST_MC_BANK_NUM;
}

/* The MSRs Xen's guest_rdmsr/guest_wrmsr hand to vMCE: P5_MC_ADDR/TYPE
 * (reads only), MCG_CAP-MCG_CTL, 32 banks' CTL2 and CTL-MISC, and
 * MCG_EXT_CTL.  Within them, what vMCE does not know reads 0 and takes
 * writes (Xen's vmce_*msr returning 0, then "break"). */
static bool vmce_msr(uint32_t msr, bool read)
{
    return (read && msr <= MSR_P5_MC_TYPE) ||
           (msr >= MSR_IA32_MCG_CAP && msr <= MSR_IA32_MCG_CTL) ||
           (msr >= MSR_IA32_MC0_CTL2 && msr < MSR_IA32_MC0_CTL2 + 32) ||
           (msr >= MSR_IA32_MC0_CTL && msr < MSR_IA32_MC0_CTL + 4 * 32) ||
           msr == MSR_IA32_MCG_EXT_CTL;
}

/* The guest's banks (Xen's mce_bank_msr; CTL2 on Intel only). */
static bool guest_bank(uint32_t msr)
{
    return msr >= MSR_IA32_MC0_CTL && msr < MSR_IA32_MC0_CTL + 4 * GUEST_MC_BANK_NUM;
}

static bool guest_ctl2(uint32_t msr)
{
    return boot_cpu_vendor == CPU_VENDOR_INTEL && msr >= MSR_IA32_MC0_CTL2 &&
           msr < MSR_IA32_MC0_CTL2 + GUEST_MC_BANK_NUM;
}

int vmce_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (!vmce_msr(msr, true))
        return 0;
    *val = 0;
    switch (msr) {
    case MSR_IA32_MCG_STATUS:
        *val = VMCE(v).mcg_status;
        return 1;
    case MSR_IA32_MCG_CAP:
        *val = mcg_cap();
        return 1;
    case MSR_IA32_MCG_EXT_CTL:
        return -1;                              /* no MCG_LMCE_P */
    }
    if (guest_bank(msr) && (msr & 3) == 0)
        *val = ~0UL;                            /* MCi_CTL: all ones */
    else if (guest_ctl2(msr))
        *val = VMCE(v).mci_ctl2[msr - MSR_IA32_MC0_CTL2];
    return 1;                                   /* MCG_CTL (no MCG_CTL_P), the rest: 0 */
}

int vmce_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (!vmce_msr(msr, false))
        return 0;
    switch (msr) {
    case MSR_IA32_MCG_STATUS:
        VMCE(v).mcg_status = val;
        return 1;
    case MSR_IA32_MCG_EXT_CTL:
        return -1;
    }
    if (guest_bank(msr) && (msr & 3) != 0 && val)
        return -1;                              /* STATUS, ADDR, MISC: only 0 */
    if (guest_ctl2(msr))
        VMCE(v).mci_ctl2[msr - MSR_IA32_MC0_CTL2] = val;    /* as Xen: any value */
    return 1;                                   /* MCG_CAP, MCG_CTL, MCi_CTL: ignored */
}
