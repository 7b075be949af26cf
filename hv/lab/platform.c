/* What the hv runs on, checked once at boot before calibration: the
 * hypervisor it sees (CPUID.1:ECX.hypervisor and the signature at leaf
 * 0x40000000: "kvm", "xen", "hyperv", "vmware", "tcg", "unknown" for a
 * hypervisor bit without a signature it knows -- QEMU 7.2's TCG gives
 * none -- or "none" on bare metal), whether SYSCALL from ring 3 arrives
 * at CPL 0, and how the TLB is tagged and flushed (pcid: "on", "off" or
 * "unavailable" -- a +pcid image on a CPU without PCID or INVPCID --
 * and invpcid: whether flushes use INVPCID), and the CPU's identity
 * (cpu_identity).  All go out in one
 * "platform" record, which the runner uses to decide whether
 * timing-mode figures are real cycles and copies (pcid) into every
 * record's provenance.
 *
 * The SYSCALL check: the boot CPU drops to ring 3 on a private copy of
 * the page tables with one user page holding `syscall`, LSTAR pointing
 * at syscall_probe_entry (hv/arch/x86/syscall_probe.S).  If the CPU
 * stays at CPL 3 after SYSCALL (a host defect: the kvm_pvm backend),
 * fetching the supervisor-only entry faults from ring 3; do_trap hands
 * that fault to syscall_probe_fault, which says so and exits with
 * EXIT_HOST_DEFECT instead of running guests that would die at their
 * first system call. */
#include "console.h"
#include "domain.h"
#include "flushtlb.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "traps.h"
#include "x86.h"

unsigned long syscall_probe_run(unsigned long user_rip);
extern char syscall_probe_entry[];

bool syscall_probe_active;
static char hypervisor[16] = "none";

#define PROBE_VA 0x400000UL        /* in slot 0, a guest's half: never the hv's */

/* "kvm", "tcg", ... from CPUID (leaf 0x40000000's 12-byte signature). */
static void identify_hypervisor(void)
{
    static const struct { const char sig[13], *name; } known[] = {
        { "KVMKVMKVM\0\0\0", "kvm" }, { "XenVMMXenVMM", "xen" },
        { "Microsoft Hv", "hyperv" }, { "VMwareVMware", "vmware" },
        { "TCGTCGTCGTCG", "tcg" },
    };
    uint32_t a, b, c, d, sig[3];

    cpuid_count(1, 0, &a, &b, &c, &d);
    if (!(c & (1U << 31)))
        return;                                    /* "none" */
    cpuid_count(0x40000000, 0, &a, &sig[0], &sig[1], &sig[2]);
    strlcpy(hypervisor, "unknown", sizeof(hypervisor));
    for (unsigned int i = 0; i < ARRAY_SIZE(known); i++)
        if (!memcmp(sig, known[i].sig, 12))
            strlcpy(hypervisor, known[i].name, sizeof(hypervisor));
}

/* The CPU itself, for a log read back from a machine the runner never
 * saw (asilab ingest): vendor and brand strings (printable ASCII, no
 * quote or backslash), family/model/stepping as Linux's /proc/cpuinfo
 * shows them, and the microcode revision (IA32_BIOS_SIGN_ID's high half
 * on Intel after the CPUID the SDM asks for, the patch level on AMD; -1
 * where the MSR faults). */
static void cpu_identity(char *vendor, char *brand, unsigned int *fam,
                         unsigned int *model, unsigned int *step, long long *ucode)
{
    uint32_t r[12], a, b, c, d;
    cpuid_count(0, 0, &a, &r[0], &r[2], &r[1]);
    memcpy(vendor, r, 12);
    vendor[12] = 0;
    cpuid_count(1, 0, &a, &b, &c, &d);
    *fam = (a >> 8) & 0xf;
    *model = (a >> 4) & 0xf;
    *step = a & 0xf;
    if (*fam == 0xf)
        *fam += (a >> 20) & 0xff;
    if (*fam >= 6)
        *model |= ((a >> 16) & 0xf) << 4;
    brand[0] = 0;
    cpuid_count(0x80000000, 0, &a, &b, &c, &d);
    if (a >= 0x80000004) {
        for (unsigned int i = 0; i < 3; i++)
            cpuid_count(0x80000002 + i, 0, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2],
                        &r[4 * i + 3]);
        memcpy(brand, r, 48);
        brand[48] = 0;
    }
    for (char *s = vendor; *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            *s = '?';
    char *o = brand;                          /* trimmed, blanks squeezed */
    for (const char *s = brand; *s; s++) {
        char ch = *s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\' ? '?' : *s;
        if (ch == ' ' && (o == brand || o[-1] == ' '))
            continue;
        *o++ = ch;
    }
    while (o > brand && o[-1] == ' ')
        o--;
    *o = 0;
    uint64_t v;
    *ucode = -1;
    if (boot_cpu_vendor == CPU_VENDOR_INTEL) {
        wrmsr_safe(MSR_IA32_UCODE_REV, 0);
        cpuid_count(1, 0, &a, &b, &c, &d);
        if (!rdmsr_safe(MSR_IA32_UCODE_REV, &v))
            *ucode = (long long)(v >> 32);
    } else if (boot_cpu_vendor == CPU_VENDOR_AMD && !rdmsr_safe(MSR_IA32_UCODE_REV, &v)) {
        *ucode = (long long)(uint32_t)v;
    }
}

static void emit_platform(int syscall_cpl)
{
    char line[512], vendor[13], brand[49];
    unsigned int fam, model, step;
    long long ucode;
    cpu_identity(vendor, brand, &fam, &model, &step, &ucode);
    int n = snprintf(line, sizeof(line),
        "@asilab {\"type\":\"platform\",\"workload\":\"hv\",\"variant\":\"%s\","
        "\"mode\":\"%s\",\"hypervisor\":\"%s\",\"syscall_cpl\":%d,"
        "\"pcid\":\"%s\",\"invpcid\":%s,\"cpu_vendor\":\"%s\",\"cpu_brand\":\"%s\","
        "\"cpu_family\":%u,\"cpu_model\":%u,\"cpu_stepping\":%u,\"microcode\":%lld,"
        "\"cpus\":%u}\n",
        asilab_variant, lab_mode_name(), hypervisor, syscall_cpl,
        pcid_state_name(pv_pcid), use_invpcid ? "true" : "false", vendor, brand,
        fam, model, step, ucode, nr_cpus_online);
    lab_emit_record(line, MIN((size_t)n, sizeof(line) - 1));
}

/* A table below parent's entry i (a new one if absent). */
static pte_t *probe_table(pte_t *parent, unsigned int i)
{
    if (!(parent[i] & _PAGE_PRESENT)) {
        mfn_t t = alloc_frame();
        if (!t)
            panic("syscall probe: out of frames");
        parent[i] = ((paddr_t)t << PAGE_SHIFT) | PAGE_GUEST_TABLE;
    }
    return maddr_to_virt(pte_addr(parent[i]));
}

static int syscall_cpl_check(void)
{
    uint64_t old_cr3 = read_cr3(), lstar = rdmsr(MSR_LSTAR);
    mfn_t l4 = alloc_frame(), code = alloc_frame();
    if (!l4 || !code)
        panic("syscall probe: out of frames");

    /* The current tables with slot 0 private: one user page, `syscall`
     * then a jump to itself (never reached). */
    pte_t *t4 = mfn_to_virt(l4);
    memcpy(t4, maddr_to_virt(old_cr3 & PTE_ADDR_MASK), PAGE_SIZE);
    t4[0] = 0;
    pte_t *t3 = probe_table(t4, 0), *t2 = probe_table(t3, pt_index(PROBE_VA, 3));
    pte_t *t1 = probe_table(t2, pt_index(PROBE_VA, 2));
    t1[pt_index(PROBE_VA, 1)] = ((paddr_t)code << PAGE_SHIFT) | _PAGE_PRESENT |
                                _PAGE_USER | _PAGE_ACCESSED;
    static const uint8_t insns[] = { 0x0f, 0x05, 0xeb, 0xfe };
    memcpy(mfn_to_virt(code), insns, sizeof(insns));

    unsigned long flags;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(flags) :: "memory");
    raw_write_cr3(((paddr_t)l4 << PAGE_SHIFT) | (old_cr3 & ~PTE_ADDR_MASK));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_probe_entry);
    syscall_probe_active = true;
    int cpl = (int)syscall_probe_run(PROBE_VA);
    syscall_probe_active = false;
    wrmsr(MSR_LSTAR, lstar);
    raw_write_cr3(old_cr3);
    if (flags & X86_EFLAGS_IF)
        local_irq_enable();

    free_frame(pte_addr(t2[pt_index(PROBE_VA, 2)]) >> PAGE_SHIFT);
    free_frame(pte_addr(t3[pt_index(PROBE_VA, 3)]) >> PAGE_SHIFT);
    free_frame(pte_addr(t4[0]) >> PAGE_SHIFT);
    free_frame(l4);
    free_frame(code);
    return cpl;
}

/* do_trap: a fault from ring 3 while the probe runs is the probe's own
 * fetch of syscall_probe_entry at CPL 3. */
void syscall_probe_fault(const struct cpu_user_regs *regs, unsigned int vec)
{
    syscall_probe_active = false;
    emit_platform(regs->cs & 3);
    printk("hv: SYSCALL from ring 3 arrived at CPL %u (vector %u at %016lx): this "
           "KVM does not switch CPL on SYSCALL (host defect); no PV guest can run here\n",
           (unsigned int)(regs->cs & 3), vec, regs->rip);
    hv_exit(EXIT_HOST_DEFECT);
}

void lab_platform_check(void)
{
    identify_hypervisor();
    int cpl = syscall_cpl_check();
    emit_platform(cpl);
    if (cpl != 0) {
        /* Arrived, but not in ring 0: nothing privileged can follow. */
        printk("hv: SYSCALL from ring 3 arrived at CPL %d: host defect\n", cpl);
        hv_exit(EXIT_HOST_DEFECT);
    }
}
