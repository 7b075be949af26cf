/* Emulation of the privileged instructions a 64-bit PV kernel may
 * execute, as Xen's arch/x86/pv/emul-priv-op.c: a #GP with error code 0
 * from the guest lands here, the instruction at RIP is decoded
 * (hv/arch/x86/x86_decode.c) and, if it is one Xen emulates and the
 * guest's virtual CPL allows it (guest kernel mode is CPL 0), carried
 * out on the vCPU's virtual state.  Anything else returns false and the
 * #GP goes to the guest as it came.
 *
 *   clts, mov to CR0    CR0.TS only (fpu_taskswitch); other CR0 bits: #GP
 *   mov from CR0/2/3/4  hardware CR0 with the guest's TS; the CR2 the
 *                       guest last saw or wrote; its L4 as a CR3; its CR4
 *   mov to CR2/3/4      CR2 into vcpu_info; CR3 as MMUEXT_NEW_BASEPTR;
 *                       CR4: TSD, DE, FSGSBASE (when offered) are the
 *                       guest's, PAE/MCE/OSFXSR/OSXMMEXCPT show the hv's
 *   mov to/from DR0-7   set_debugreg's rules (hv/pv/debugreg.c)
 *   rdmsr/wrmsr         the MSRs Xen lets PV guests touch (the machine-check
 *                       ones in vmce.c); others #GP
 *   rdtsc               when the guest set CR4.TSD
 *   rdtscp              #GP(0): Xen's emulator reads TSC_AUX first, which
 *                       its MSR policy refuses while RDTSCP and RDPID are
 *                       hidden (as here)
 *   xsetbv              #UD, at any CPL: Xen's emulator wants the guest's
 *                       CR4.OSXSAVE, never set while XSAVE is hidden
 *   cpuid               the PV policy (hv/pv/cpuid.c)
 *   in/out/ins/outs     by virtual IOPL or the guest's I/O bitmap, then
 *                       by what the hv grants the domain
 *   cli/sti             no-ops when the virtual IOPL allows them
 *   wbinvd              ignored (and wbnoinvd, F3 0F 09)
 * Not emulated, as Xen (the #GP goes to the guest): hlt (a PV guest
 * blocks with SCHEDOP_block), rdpmc, swapgs and the other 0F 01 forms. */
#include "cpuid.h"
#include "domain.h"
#include "emulate.h"
#include "flushtlb.h"
#include "i387.h"
#include "lab.h"
#include "layout.h"
#include "lib.h"
#include "pvmm.h"
#include "traps.h"
#include "x86.h"
#include "x86_decode.h"

#define XEN_MSR_PAT 0x0000050100070406UL
#define EFER_KNOWN_MASK ((1UL << 0) | (1UL << 8) | (1UL << 10) | (1UL << 11) | \
                         (1UL << 13) | (1UL << 14) | (1UL << 15) | (1UL << 21))

enum emul_rc { EMUL_OKAY, EMUL_GP, EMUL_UD, EMUL_DONE_INJECTED, EMUL_UNHANDLED,
               EMUL_RETRY };

/* Iterations of a rep ins/outs per emulation: the rest runs when the
 * guest re-executes the instruction (RIP stays on it, as Xen's
 * X86EMUL_RETRY), so a huge %rcx never holds the hv. */
#define MAX_REPS 1024

static bool virt_cpl0(const struct vcpu *v)
{
    return guest_kernel_mode(v);
}

/* ---- control registers ---- */

unsigned long pv_guest_cr0(const struct vcpu *v)
{
    return (read_cr0() & ~X86_CR0_TS) | (v->ctrlreg[0] & X86_CR0_TS);
}

static enum emul_rc read_cr(struct vcpu *v, unsigned int reg, uint64_t *val)
{
    switch (reg) {
    case 0:
        *val = pv_guest_cr0(v);
        return EMUL_OKAY;
    case 2:
    case 4:
        *val = v->ctrlreg[reg];
        return EMUL_OKAY;
    case 3:
        *val = (uint64_t)v->guest_table << PAGE_SHIFT;   /* xen_pfn_to_cr3 */
        return EMUL_OKAY;
    default:
        return EMUL_UNHANDLED;
    }
}

static enum emul_rc write_cr(struct vcpu *v, unsigned int reg, uint64_t val)
{
    switch (reg) {
    case 0:
        if ((val ^ read_cr0()) & ~X86_CR0_TS)
            return EMUL_UNHANDLED;         /* unmodifiable CR0 flags */
        pv_fpu_taskswitch(v, val & X86_CR0_TS);
        return EMUL_OKAY;
    case 2:
        v->ctrlreg[2] = val;
        pv_vcpu_info(v)->arch.cr2 = val;
        return EMUL_OKAY;
    case 3: {
        struct domain *d = v->domain;
        mm_lock(d);
        int rc = pv_set_baseptr(v, val >> PAGE_SHIFT, false);   /* xen_cr3_to_pfn */
        mm_unlock(d);
        return rc ? EMUL_UNHANDLED : EMUL_OKAY;
    }
    case 4:
        v->ctrlreg[4] = pv_fixup_guest_cr4(v, val);
        write_cr4(pv_make_cr4(v));
        return EMUL_OKAY;
    default:
        return EMUL_UNHANDLED;
    }
}

/* Guest-controllable CR4 bits within the policy, the hv's choice of a
 * few hardware bits (Xen's pv_fixup_guest_cr4). */
unsigned long pv_fixup_guest_cr4(const struct vcpu *v, unsigned long cr4)
{
    struct cpuid_leaf l7;
    guest_cpuid(v, 7, 0, &l7);
    unsigned long mask = X86_CR4_TSD | X86_CR4_DE |
                         ((l7.b & 1) ? X86_CR4_FSGSBASE : 0);
    return (cr4 & mask) | (hv_cr4_features & (X86_CR4_PAE | X86_CR4_MCE |
                                              X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT));
}

/* The CR4 to run v with (Xen's pv_make_cr4): the hv's, its TLB bits
 * (PCIDE or PGE, the same for every vCPU: flushtlb.c), plus the guest's
 * TSD and FSGSBASE. */
unsigned long pv_make_cr4(const struct vcpu *v)
{
    unsigned long cr4 = (hv_cr4_features & ~(X86_CR4_TSD | X86_CR4_FSGSBASE |
                                             X86_CR4_PGE | X86_CR4_PCIDE)) | tlb_cr4_bits;
    if (v && !v->is_idle)
        cr4 |= v->ctrlreg[4] & (X86_CR4_TSD | X86_CR4_FSGSBASE);
    return cr4;
}

/* ---- MSRs ---- */

static uint64_t guest_efer(void)
{
    return rdmsr(MSR_EFER) & EFER_KNOWN_MASK & ~(1UL << 12);   /* no SVME */
}

static uint64_t guest_misc_enable(uint64_t val)
{
    val &= ~((1UL << 7) | (1UL << 18));        /* PERF_AVAIL, MONITOR_ENABLE */
    val |= (1UL << 11) | (1UL << 12) | (1UL << 23);   /* BTS/PEBS unavail, xTPR off */
    return val;
}

static bool amd_pstate_msr(uint32_t msr)
{
    return (msr >= 0xc0010041 && msr <= 0xc0010042) ||   /* K7 FID/VID */
           (msr >= 0xc0010061 && msr <= 0xc001006b);     /* K8 P-states */
}

/* The MSRs read_msr does not know: the machine-check ones (vmce.c, as
 * Xen's guest_rdmsr), then Xen's leniency for a guest without a #GP
 * handler.  Out of line, so the common reads stay as short as they were. */
static enum emul_rc __attribute__((noinline)) read_msr_other(struct vcpu *v, uint32_t msr,
                                                             uint64_t *val)
{
    uint64_t tmp;

    switch (vmce_rdmsr(v, msr, val)) {
    case 1:
        return EMUL_OKAY;
    case -1:
        return EMUL_GP;
    }
    /* As Xen: a guest without a #GP handler reads a readable MSR as 0
     * rather than being crashed by the fault. */
    if (!v->trap_ctxt[TRAP_gp_fault].address && (msr >> 16) != 0x4000 &&
        !rdmsr_safe(msr, &tmp)) {
        *val = 0;
        return EMUL_OKAY;
    }
    return EMUL_GP;
}

static enum emul_rc read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_APIC_BASE:               /* Linux PV reads it */
        *val = 0xfee00000UL | (1UL << 11) | (v->vcpu_id == 0 ? 1UL << 8 : 0);
        return EMUL_OKAY;
    case MSR_FS_BASE:
        *val = rdmsr(MSR_FS_BASE);
        return EMUL_OKAY;
    case MSR_GS_BASE:
        *val = rdmsr(MSR_GS_BASE);
        return EMUL_OKAY;
    case MSR_SHADOW_GS_BASE:          /* kernel mode: the user's base */
        *val = rdmsr(MSR_SHADOW_GS_BASE);
        return EMUL_OKAY;
    case MSR_IA32_TSC:
        *val = rdtsc_ordered();
        return EMUL_OKAY;
    case MSR_EFER:
        *val = guest_efer();
        return EMUL_OKAY;
    case MSR_IA32_CR_PAT:
        *val = XEN_MSR_PAT;
        return EMUL_OKAY;
    case MSR_INTEL_PLATFORM_INFO:     /* no CPUID faulting offered */
    case MSR_INTEL_MISC_FEATURES_ENABLES:
        *val = 0;
        return EMUL_OKAY;
    case MSR_IA32_MISC_ENABLE:
        if (rdmsr_safe(msr, val))
            break;
        *val = guest_misc_enable(*val);
        return EMUL_OKAY;
    case MSR_IA32_PERF_CAPABILITIES:
        *val = 0;
        return EMUL_OKAY;
    default:
        if (amd_pstate_msr(msr) && boot_cpu_vendor != CPU_VENDOR_INTEL) {
            *val = 0;
            return EMUL_OKAY;
        }
        break;
    }
    return read_msr_other(v, msr, val);
}

static enum emul_rc write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    uint64_t tmp;

    switch (msr) {
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_SHADOW_GS_BASE:
        if (!is_canonical(val))
            return EMUL_GP;
        wrmsr(msr, val);
        return EMUL_OKAY;
    case MSR_EFER:                    /* Linux writes back the same value */
        return val == guest_efer() ? EMUL_OKAY : EMUL_GP;
    case MSR_INTEL_MISC_FEATURES_ENABLES:
        return val == 0 ? EMUL_OKAY : EMUL_GP;
    case MSR_IA32_MISC_ENABLE:
        if (rdmsr_safe(msr, &tmp))
            return EMUL_GP;
        return EMUL_OKAY;             /* a changed value is ignored, as Xen */
    default:
        if ((amd_pstate_msr(msr) || msr == 0xc0010015 /* K8 HWCR */) &&
            boot_cpu_vendor != CPU_VENDOR_INTEL)
            return EMUL_OKAY;
        return vmce_wrmsr(v, msr, val) > 0 ? EMUL_OKAY : EMUL_GP;
    }
    (void)v;
}

/* ---- I/O ports ---- */

/* Xen's iopl_ok: guest kernel mode is virtual CPL 1 (0 with the
 * architectural_iopl assist), user mode CPL 3. */
static bool iopl_ok(const struct vcpu *v)
{
    unsigned int cpl = guest_kernel_mode(v) ? (pv_architectural_iopl(v) ? 0 : 1) : 3;
    return (cpl << 12) <= v->iopl;
}

static bool guest_io_okay(struct vcpu *v, unsigned int port, unsigned int bytes)
{
    if (iopl_ok(v))
        return true;
    if (port + bytes <= v->iobmp_limit) {
        uint8_t b[2] = { 0xff, 0xff };
        bool user = !guest_kernel_mode(v);
        if (user)
            toggle_guest_mode(v);      /* the bitmap is a kernel address */
        if (copy_from_guest(b, v->iobmp + (port >> 3), 2))
            copy_from_guest(b, v->iobmp + (port >> 3), 1);
        if (user)
            toggle_guest_mode(v);
        uint16_t mask = b[0] | (b[1] << 8);
        if (!(mask & (((1U << bytes) - 1) << (port & 7))))
            return true;
    }
    return false;
}

/* What the hv grants a domain: dom0 every port the hv does not drive
 * itself (as Xen's dom0 ioports_deny_access list); other domains none. */
static bool admin_io_okay(const struct domain *d, unsigned int port,
                          unsigned int bytes)
{
    static const struct { uint16_t lo, hi; } denied[] = {
        { 0x20, 0x21 }, { 0xa0, 0xa1 },      /* PIC */
        { 0x40, 0x43 }, { 0x61, 0x61 },      /* PIT, NMI status/control */
        { 0x70, 0x71 },                      /* RTC/CMOS */
        { 0xf4, 0xf7 },                      /* the lab's isa-debug-exit */
        { 0x3f8, 0x3ff },                    /* COM1, the hv console */
        { 0xcf8, 0xcff },                    /* PCI configuration */
    };
    if (d->domain_id != 0)
        return false;
    for (unsigned int i = 0; i < ARRAY_SIZE(denied); i++)
        if (port <= denied[i].hi && port + bytes - 1 >= denied[i].lo)
            return false;
    return true;
}

/* The RTC as Xen's rtc_guest_read/rtc_guest_write: every PV domain has
 * its own latched CMOS index at port 0x70; the data port 0x71 reaches
 * the hardware's register of that index for dom0 only (Xen: a domain
 * whose ioports_caps include the RTC), under one lock; a domU reads
 * ~0 and its writes are dropped. */
#define RTC_INDEX 0x70
#define RTC_DATA  0x71
static uint8_t cmos_idx[MAX_DOMAINS];
static spinlock_t rtc_lock = SPIN_LOCK_UNLOCKED;

static bool is_rtc_port(unsigned int port, unsigned int bytes)
{
    return port <= RTC_DATA && port + bytes - 1 >= RTC_INDEX;
}

static uint8_t rtc_guest_read(const struct domain *d, unsigned int port)
{
    uint8_t v = 0xff;
    if (port == RTC_INDEX)
        return cmos_idx[d->domain_id];
    if (d->domain_id != 0)
        return v;
    spin_lock(&rtc_lock);
    outb(RTC_INDEX, cmos_idx[d->domain_id] & 0x7f);
    v = inb(RTC_DATA);
    spin_unlock(&rtc_lock);
    return v;
}

static void rtc_guest_write(const struct domain *d, unsigned int port, uint8_t v)
{
    if (port == RTC_INDEX) {
        cmos_idx[d->domain_id] = v;
        return;
    }
    if (d->domain_id != 0)
        return;
    spin_lock(&rtc_lock);
    outb(RTC_INDEX, cmos_idx[d->domain_id] & 0x7f);
    outb(RTC_DATA, v);
    spin_unlock(&rtc_lock);
}

/* An access touching the RTC goes byte by byte, as Xen's guest_io_read
 * splits one: the RTC's bytes as above, the others as a byte access. */
static uint32_t __attribute__((noinline)) rtc_io_read(const struct domain *d,
                                                      unsigned int port, unsigned int bytes)
{
    uint32_t val = 0;
    for (unsigned int i = 0; i < bytes; i++) {
        unsigned int p = port + i;
        uint8_t b = is_rtc_port(p, 1) ? rtc_guest_read(d, p) :
                    admin_io_okay(d, p, 1) ? inb(p) : 0xff;
        val |= (uint32_t)b << (8 * i);
    }
    return val;
}

static void __attribute__((noinline)) rtc_io_write(const struct domain *d, unsigned int port,
                                                   unsigned int bytes, uint32_t val)
{
    for (unsigned int i = 0; i < bytes; i++) {
        unsigned int p = port + i;
        uint8_t b = val >> (8 * i);
        if (is_rtc_port(p, 1))
            rtc_guest_write(d, p, b);
        else if (admin_io_okay(d, p, 1))
            outb(p, b);
    }
}

static uint32_t io_read(const struct domain *d, unsigned int port, unsigned int bytes)
{
    if (!admin_io_okay(d, port, bytes))
        return is_rtc_port(port, bytes) ? rtc_io_read(d, port, bytes) : ~0U;
    switch (bytes) {
    case 1: return inb(port);
    case 2: return inw(port);
    default: return inl(port);
    }
}

static void io_write(const struct domain *d, unsigned int port, unsigned int bytes,
                     uint32_t val)
{
    if (!admin_io_okay(d, port, bytes)) {
        if (is_rtc_port(port, bytes))
            rtc_io_write(d, port, bytes, val);
        return;
    }
    switch (bytes) {
    case 1: outb(port, val); break;
    case 2: outw(port, val); break;
    default: outl(port, val); break;
    }
}

/* ---- dispatch ---- */

uint64_t *decode_gpr(struct cpu_user_regs *r, unsigned int n)
{
    uint64_t *const map[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
        &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
    };
    return map[n & 15];
}

static void set_sized(uint64_t *reg, unsigned int bytes, uint64_t val)
{
    switch (bytes) {
    case 1: *reg = (*reg & ~0xffUL) | (val & 0xff); break;
    case 2: *reg = (*reg & ~0xffffUL) | (val & 0xffff); break;
    default: *reg = (uint32_t)val; break;             /* 32-bit writes zero-extend */
    }
}

static unsigned long seg_base(const struct x86_insn *in)
{
    if (in->seg == 4)
        return rdmsr(MSR_FS_BASE);
    if (in->seg == 5)
        return rdmsr(MSR_GS_BASE);
    return 0;
}

/* Xen's pv_emul_virt_to_linear for 64-bit addressing (__addr_ok): the
 * non-canonical range and the hv's slots are #GP(0) before any access
 * (an %ss override, which would make it #SS, is ignored in 64-bit mode);
 * the access itself may still #PF.  False: injected. */
static bool io_addr_ok(struct cpu_user_regs *regs, const struct x86_insn *in,
                       unsigned long a)
{
    if (in->ad_bytes != 8 || a < GUEST_LOW_END || a >= GUEST_HIGH_START)
        return true;
    pv_inject_trap(regs, TRAP_gp_fault, true, 0, 0);
    return false;
}

static enum emul_rc emulate_io(struct vcpu *v, struct cpu_user_regs *regs,
                               const struct x86_insn *in)
{
    unsigned int opc = in->opc;
    unsigned int bytes = (opc & 1) ? (in->op_bytes == 2 ? 2 : 4) : 1;
    unsigned int port = (opc >= 0xe4 && opc <= 0xe7) ? in->imm8 : (uint16_t)regs->rdx;
    struct domain *d = v->domain;

    if (!guest_io_okay(v, port, bytes))
        return EMUL_GP;
    if (opc == 0xe4 || opc == 0xe5 || opc == 0xec || opc == 0xed) {
        set_sized(&regs->rax, bytes, io_read(d, port, bytes));
        return EMUL_OKAY;
    }
    if (opc == 0xe6 || opc == 0xe7 || opc == 0xee || opc == 0xef) {
        io_write(d, port, bytes, (uint32_t)regs->rax);
        return EMUL_OKAY;
    }
    /* ins (6c/6d) to es:rdi, outs (6e/6f) from seg:rsi; rep with rcx. */
    uint64_t amask = in->ad_bytes == 4 ? 0xffffffffUL : ~0UL;
    uint64_t count = in->rep ? (regs->rcx & amask) : 1;
    long step = (regs->rflags & X86_EFLAGS_DF) ? -(long)bytes : (long)bytes;
    bool ins = opc <= 0x6d;
    unsigned int done = 0;
    for (; count; count--) {
        uint32_t val = 0;
        if (done++ == MAX_REPS)
            return EMUL_RETRY;
        if (ins) {
            if (!io_addr_ok(regs, in, regs->rdi & amask))
                return EMUL_DONE_INJECTED;
            val = io_read(d, port, bytes);
            if (copy_to_guest(regs->rdi & amask, &val, bytes)) {
                pv_inject_page_fault(regs, regs->rdi & amask, true);
                return EMUL_DONE_INJECTED;
            }
            regs->rdi = (regs->rdi & ~amask) | ((regs->rdi + step) & amask);
        } else {
            unsigned long a = seg_base(in) + (regs->rsi & amask);
            if (!io_addr_ok(regs, in, a))
                return EMUL_DONE_INJECTED;
            if (copy_from_guest(&val, a, bytes)) {
                pv_inject_page_fault(regs, a, false);
                return EMUL_DONE_INJECTED;
            }
            io_write(d, port, bytes, val);
            regs->rsi = (regs->rsi & ~amask) | ((regs->rsi + step) & amask);
        }
        if (in->rep)
            regs->rcx = (regs->rcx & ~amask) | ((regs->rcx - 1) & amask);
    }
    return EMUL_OKAY;
}

/* 0F 01 with ModRM mod 3, rm 1 and this reg: xsetbv (2), rdtscp (7). */
static bool is_0f01_rm1(const struct x86_insn *in, unsigned int reg)
{
    return in->opc == X86_OPC_0F(0x01) && in->modrm_mod == 3 &&
           (in->modrm_rm & 7) == 1 && (in->modrm_reg & 7) == reg;
}

static enum emul_rc emulate_one(struct vcpu *v, struct cpu_user_regs *regs,
                                const struct x86_insn *in)
{
    uint64_t val;
    enum emul_rc rc;
    bool cpl0 = virt_cpl0(v);

    switch (in->opc) {
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0xec: case 0xed: case 0xee: case 0xef:
        return emulate_io(v, regs, in);
    case 0xfa: case 0xfb:             /* cli/sti: no-ops under IOPL */
        return iopl_ok(v) ? EMUL_OKAY : EMUL_UNHANDLED;
    }
    if (!cpl0)                        /* #GP(0) as it came; xsetbv #UD */
        return is_0f01_rm1(in, 2) ? EMUL_UD : EMUL_UNHANDLED;
    switch (in->opc) {
    case X86_OPC_0F(0x06):            /* clts */
        pv_fpu_taskswitch(v, false);
        return EMUL_OKAY;
    case X86_OPC_0F(0x09):            /* wbinvd: ignored for PV */
        return EMUL_OKAY;
    case X86_OPC_0F(0x20):            /* mov cr, reg */
        if ((rc = read_cr(v, in->modrm_reg, &val)) == EMUL_OKAY)
            *decode_gpr(regs, in->modrm_rm) = val;
        return rc;
    case X86_OPC_0F(0x22):            /* mov reg, cr */
        return write_cr(v, in->modrm_reg, *decode_gpr(regs, in->modrm_rm));
    case X86_OPC_0F(0x21):            /* mov dr, reg */
        if (in->modrm_reg > 7)
            return EMUL_UD;
        if (pv_read_dr(v, in->modrm_reg, &val))
            return EMUL_UD;
        *decode_gpr(regs, in->modrm_rm) = val;
        return EMUL_OKAY;
    case X86_OPC_0F(0x23): {          /* mov reg, dr */
        if (in->modrm_reg > 7)
            return EMUL_UD;
        long r = pv_set_debugreg(v, in->modrm_reg, *decode_gpr(regs, in->modrm_rm));
        if (r == -XEN_ENODEV)
            return EMUL_UD;
        return r ? EMUL_GP : EMUL_OKAY;
    }
    case X86_OPC_0F(0x30):            /* wrmsr */
        return write_msr(v, (uint32_t)regs->rcx,
                         (uint32_t)regs->rax | (regs->rdx << 32));
    case X86_OPC_0F(0x32):            /* rdmsr */
        if ((rc = read_msr(v, (uint32_t)regs->rcx, &val)) == EMUL_OKAY) {
            regs->rax = (uint32_t)val;
            regs->rdx = val >> 32;
        }
        return rc;
    case X86_OPC_0F(0x01):
        if (is_0f01_rm1(in, 2))       /* xsetbv: CR4.OSXSAVE never the guest's */
            return EMUL_UD;
        if (is_0f01_rm1(in, 7))       /* rdtscp under the guest's CR4.TSD: */
            return EMUL_GP;           /* TSC_AUX refused, RDTSCP/RDPID hidden */
        return EMUL_UNHANDLED;
    case X86_OPC_0F(0x31):            /* rdtsc under the guest's CR4.TSD */
        val = rdtsc_ordered();
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        return EMUL_OKAY;
    case X86_OPC_0F(0xa2): {          /* cpuid */
        struct cpuid_leaf l;
        guest_cpuid(v, (uint32_t)regs->rax, (uint32_t)regs->rcx, &l);
        regs->rax = l.a, regs->rbx = l.b, regs->rcx = l.c, regs->rdx = l.d;
        return EMUL_OKAY;
    }
    default:
        return EMUL_UNHANDLED;
    }
}

bool pv_emulate_privileged_op(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    uint8_t buf[X86_MAX_INSN_LEN];
    unsigned int avail = pv_fetch_insn(regs->rip, buf);
    struct x86_insn in;

    switch (x86_decode(buf, avail, &in)) {
    case X86_DECODE_OK:
        break;
    case X86_DECODE_SHORT:            /* the rest of it is unreadable */
        /* As Xen's insn_fetch: a non-canonical address is #GP(0) (e.g. a
         * return to just past the lower canonical boundary, XSA-7), an
         * unmapped one #PF. */
        if (!is_canonical(regs->rip + avail))
            pv_inject_trap(regs, TRAP_gp_fault, true, 0, 0);
        else
            pv_inject_page_fault(regs, regs->rip + avail, false);
        return true;
    default:
        return false;
    }
    if (in.lock)
        return false;
    switch (emulate_one(v, regs, &in)) {
    case EMUL_OKAY:
        this_cpu_count(priv_op_emul, 1);
        pv_emul_instruction_done(regs, regs->rip + in.len);
        return true;
    case EMUL_GP:
        pv_inject_trap(regs, TRAP_gp_fault, true, 0, 0);
        return true;
    case EMUL_UD:
        pv_inject_trap(regs, TRAP_invalid_op, false, 0, 0);
        return true;
    case EMUL_DONE_INJECTED:
        return true;
    case EMUL_RETRY:                  /* partly done: re-executed by the guest */
        this_cpu_count(priv_op_emul, 1);
        return true;
    default:
        return false;
    }
}

unsigned long hv_cr4_features;

void pv_emul_vcpu_init(struct vcpu *v)
{
    memset(v->ctrlreg, 0, sizeof(v->ctrlreg));
    v->ctrlreg[4] = pv_fixup_guest_cr4(v, 0);
    memset(v->dr, 0, sizeof(v->dr));
    v->dr6 = X86_DR6_DEFAULT;
    v->dr7 = 1UL << 10;                 /* X86_DR7_DEFAULT */
    v->dr7_emul = 0;
    v->iopl = 0;
    v->iobmp = 0;
    v->iobmp_limit = 0;
}

