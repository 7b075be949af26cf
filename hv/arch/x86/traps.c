/* Per-CPU GDT (hv entries in page 14 at 0xe000, as Xen), TSS with IST
 * stacks, the IDT, SYSCALL MSRs and per-CPU stubs; exception dispatch
 * with fixups for guest-memory access and crash dumps for hv faults. */
#include "asm.h"
#include "console.h"
#include "descriptor.h"
#include "domain.h"
#include "emulate.h"
#include "fault_owner.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "public/asilab.h"
#include "sched.h"
#include "traps.h"
#include "x86.h"

BUILD_BUG_ON(sizeof(struct cpu_user_regs) != UREGS_sizeof);
BUILD_BUG_ON(offsetof(struct cpu_user_regs, rax) != UREGS_rax);
BUILD_BUG_ON(offsetof(struct cpu_user_regs, entry_vector) != UREGS_entry_vector);
BUILD_BUG_ON(offsetof(struct cpu_user_regs, rip) != UREGS_rip);
BUILD_BUG_ON(offsetof(struct cpu_user_regs, es) != UREGS_es);
BUILD_BUG_ON(offsetof(struct cpu_info, processor_id) != CPUINFO_processor_id);
BUILD_BUG_ON(offsetof(struct cpu_info, current_vcpu) != CPUINFO_current_vcpu);
BUILD_BUG_ON(offsetof(struct cpu_info, xen_cr3) != CPUINFO_xen_cr3);
BUILD_BUG_ON(offsetof(struct cpu_info, pv_cr3) != CPUINFO_pv_cr3);
BUILD_BUG_ON(sizeof(struct cpu_info) != CPUINFO_sizeof);
BUILD_BUG_ON(STACK_SIZE != STACK_SIZE_ASM);
BUILD_BUG_ON(sizeof(struct lab_pcpu_counters) != COUNTERS_sizeof);
BUILD_BUG_ON(offsetof(struct cpu_info, cr3_load_count) != CPUINFO_cr3_load_count);
BUILD_BUG_ON((sizeof(struct cpu_info) -
              offsetof(struct cpu_info, guest_cpu_user_regs.es)) & 15);

struct __packed tss64 {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3;
    uint16_t iomap_base;
};

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, rsvd;
};

char cpu_stacks[NR_CPUS][STACK_SIZE]
    __attribute__((section(".bss.stacks"), aligned(4096)));
static uint64_t gdt_pages[NR_CPUS][NR_GDT_PAGES * 512] __aligned(4096);
static struct tss64 tss[NR_CPUS] __aligned(128);
static struct idt_gate idt[256] __aligned(4096);
static const struct desc_ptr idt_ptr = { sizeof(idt) - 1, (uint64_t)idt };
/* cpu0's initial stack pointer, used by boot.S. */
char *const cpu0_stack_top = &cpu_stacks[0][STACK_SIZE - sizeof(struct cpu_info)];

#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3

static void set_gate(unsigned int vec, void *fn, unsigned int dpl, unsigned int ist)
{
    uint64_t a = (uint64_t)fn;
    idt[vec] = (struct idt_gate){
        .off_lo = a, .sel = __HYPERVISOR_CS, .ist = ist,
        .type = 0x8e | (dpl << 5), .off_mid = a >> 16, .off_hi = a >> 32,
    };
}

static void init_idt(void)
{
    for (unsigned int v = 0; v < 32; v++)
        set_gate(v, exception_stubs + 16 * v, 0, 0);
    for (unsigned int v = 32; v < 256; v++)
        set_gate(v, irq_stubs + 16 * (v - 32), 0, 0);
    /* int3 and into may be used by guests, as on Xen. */
    set_gate(TRAP_int3, exception_stubs + 16 * TRAP_int3, 3, 0);
    set_gate(TRAP_overflow, exception_stubs + 16 * TRAP_overflow, 3, 0);
    set_gate(TRAP_double_fault, exception_stubs + 16 * 8, 0, IST_DF);
    /* #DB on an IST stack (shared with #DF, which ends the run): see
     * handle_debug in entry.S. */
    set_gate(TRAP_debug, exception_stubs + 16 * 1, 0, IST_DF);
    set_gate(TRAP_nmi, exception_stubs + 16 * 2, 0, IST_NMI);
    set_gate(TRAP_machine_check, exception_stubs + 16 * 18, 0, IST_MC);
}

/* Write one CPU's SYSCALL stub: save guest %rax and %rsp into the frame
 * at the top of this CPU's stack, switch stacks, jump to lstar_enter. */
static void write_syscall_stub(unsigned int cpu)
{
    struct cpu_info *ci = (struct cpu_info *)(cpu_stacks[cpu] + STACK_SIZE) - 1;
    uint64_t top = (uint64_t)&ci->guest_cpu_user_regs.es;   /* end of iret frame */
    char *stub = syscall_stubs + 32 * cpu;
    uint8_t *p = __va(virt_to_maddr(stub));                 /* text is RX */
    p[0] = 0x48; p[1] = 0xa3;                 /* movabs %rax, top-8 */
    *(uint64_t *)&p[2] = top - 8;
    p[10] = 0x48; p[11] = 0x89; p[12] = 0xe0; /* mov %rsp, %rax */
    p[13] = 0x48; p[14] = 0xbc;               /* movabs $top-8, %rsp */
    *(uint64_t *)&p[15] = top - 8;
    p[23] = 0x50;                             /* push %rax */
    p[24] = 0xe9;                             /* jmp lstar_enter */
    *(int32_t *)&p[25] = (int32_t)((uint64_t)lstar_enter - ((uint64_t)stub + 29));
}

void load_default_gdt(unsigned int cpu)
{
    struct desc_ptr p = { NR_GDT_PAGES * 4096 - 1, (uint64_t)gdt_pages[cpu] };
    lgdt(&p);
}

/* What the entry and exit paths touch on `cpu` before they switch to
 * the hv's full tables: the entry text (stubs, restore_all_guest), this
 * pCPU's stack block (primary and IST stacks, cpu_info), GDT, TSS, IDT. */
void percpu_entry_regions(unsigned int cpu, entry_region_fn *fn, void *ctx)
{
    fn(ctx, _sentry, _eentry - _sentry, PAGE_HV_RX);
    fn(ctx, cpu_stacks[cpu], STACK_SIZE, PAGE_HV_RW);
    fn(ctx, gdt_pages[cpu], sizeof(gdt_pages[cpu]), PAGE_HV_RO);
    fn(ctx, &tss[cpu], sizeof(tss[cpu]), PAGE_HV_RO);
    fn(ctx, idt, sizeof(idt), PAGE_HV_RO);
}

/* The page holding this pCPU's hv entries (0xe000...): TSS, LDT, ... */
uint64_t *reserved_gdt_page(unsigned int cpu)
{
    return &gdt_pages[cpu][FIRST_RESERVED_GDT_ENTRY];
}

void percpu_traps_init(unsigned int cpu)
{
    uint64_t *g = &gdt_pages[cpu][FIRST_RESERVED_GDT_ENTRY];
    struct cpu_info *ci = (struct cpu_info *)(cpu_stacks[cpu] + STACK_SIZE) - 1;

    if (cpu == 0)
        init_idt();
    memset(ci, 0, sizeof(*ci));
    ci->processor_id = cpu;

    g[1] = 0x00af9b000000ffffUL;   /* 0xe008 ring 0 code, 64-bit */
    g[2] = 0x00cf93000000ffffUL;   /* 0xe010 ring 0 data */
    g[4] = 0x00cffb000000ffffUL;   /* 0xe023 ring 3 code, compat */
    g[5] = 0x00cff3000000ffffUL;   /* 0xe02b ring 3 data */
    g[6] = 0x00affb000000ffffUL;   /* 0xe033 ring 3 code, 64-bit */
    g[7] = 0x00cf9b000000ffffUL;   /* 0xe038 ring 0 code, compat */
    g[12] = 0x0000f10000000000UL | cpu;   /* per-CPU entry, DPL 3: lsl gives cpu */

    struct tss64 *t = &tss[cpu];
    memset(t, 0, sizeof(*t));
    t->rsp[0] = (uint64_t)&ci->guest_cpu_user_regs.es;
    for (int i = 0; i < 3; i++)
        t->ist[i] = (uint64_t)cpu_stacks[cpu] + (i + 1) * IST_STACK_SIZE;
    t->iomap_base = sizeof(*t);
    uint64_t b = (uint64_t)t, lim = sizeof(*t) - 1;
    g[8] = (lim & 0xffff) | ((b & 0xffffff) << 16) | (0x89UL << 40) |
           (((lim >> 16) & 0xf) << 48) | (((b >> 24) & 0xff) << 56);
    g[9] = b >> 32;

    load_default_gdt(cpu);
    __asm__ volatile(
        "pushq %0; lea 1f(%%rip), %%rax; pushq %%rax; lretq; 1:\n\t"
        "mov %1, %%ss; xor %%eax, %%eax; mov %%eax, %%ds; mov %%eax, %%es;"
        "mov %%eax, %%fs; mov %%eax, %%gs"
        :: "i"(__HYPERVISOR_CS), "r"(__HYPERVISOR_DS) : "rax", "memory");
    ltr(TSS_SELECTOR);
    lldt(0);
    lidt(&idt_ptr);

    write_syscall_stub(cpu);
    wrmsr(MSR_STAR, ((uint64_t)FLAT_RING3_CS32 << 48) | ((uint64_t)__HYPERVISOR_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(syscall_stubs + 32 * cpu));
    wrmsr(MSR_CSTAR, (uint64_t)(syscall_stubs + 32 * cpu));
    wrmsr(MSR_SYSCALL_MASK, X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_DF |
                            X86_EFLAGS_NT | X86_EFLAGS_AC | X86_EFLAGS_IOPL);
    wrmsr(MSR_FS_BASE, 0);
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_SHADOW_GS_BASE, 0);

    uint32_t a, bx, c, d;
    cpuid_count(7, 0, &a, &bx, &c, &d);
    if (bx & (1U << 7))
        write_cr4(read_cr4() | X86_CR4_SMEP);
    write_cr0((read_cr0() | X86_CR0_WP | X86_CR0_MP) & ~(X86_CR0_EM | X86_CR0_TS));
    write_cr4(read_cr4() | X86_CR4_OSFXSR);   /* guests may use SSE: switched */
    hv_cr4_features = read_cr4();             /* the same on every pCPU */
}

/* ---- dispatch ---- */

struct ex_entry { uint64_t insn, fixup; };
extern const struct ex_entry __start_ex_table[], __stop_ex_table[];

static bool search_fixup(struct cpu_user_regs *regs)
{
    for (const struct ex_entry *e = __start_ex_table; e < __stop_ex_table; e++)
        if (e->insn == regs->rip) {
            regs->rip = e->fixup;
            return true;
        }
    return false;
}

static const char *const trap_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?9",
    "#TS", "#NP", "#SS", "#GP", "#PF", "?15", "#MF", "#AC", "#MC", "#XM",
    "#VE", "#CP",
};

static void __noreturn crash_dump(struct cpu_user_regs *r, unsigned int vec,
                                  const char *why)
{
    uint32_t a, b, c, d;
    cpuid_count(1, 0, &a, &b, &c, &d);
    printk("\n*** hv exception %s (vector %u) on CPU apic %u, error code %#x\n",
           trap_names[vec] ? trap_names[vec] : "?", vec, b >> 24, r->error_code);
    if (why)
        printk("*** %s\n", why);
    printk("RIP %04x:%016lx RFLAGS %016lx CR2 %016lx CR3 %016lx\n",
           r->cs, r->rip, r->rflags, read_cr2(), read_cr3());
    printk("RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", r->rax, r->rbx, r->rcx, r->rdx);
    printk("RSI %016lx RDI %016lx RBP %016lx RSP %016lx\n", r->rsi, r->rdi, r->rbp, r->rsp);
    printk("R8  %016lx R9  %016lx R10 %016lx R11 %016lx\n", r->r8, r->r9, r->r10, r->r11);
    printk("R12 %016lx R13 %016lx R14 %016lx R15 %016lx\n", r->r12, r->r13, r->r14, r->r15);
    hv_exit(EXIT_EXCEPTION_BASE + vec);
}

void do_trap(struct cpu_user_regs *regs)
{
    unsigned int vec = regs->entry_vector & 0xff;
    unsigned long cr2 = vec == TRAP_page_fault ? read_cr2() : 0;

    /* IST vectors run on their own stacks, where get_cpu_info() does not
     * work: they never go to a guest. */
    if (vec == TRAP_nmi || vec == TRAP_double_fault || vec == TRAP_machine_check)
        crash_dump(regs, vec, NULL);
    if (vec == TRAP_page_fault && handle_ldt_fault(regs, cr2))
        return;
    if (unlikely(syscall_probe_active) && (regs->cs & 3))
        syscall_probe_fault(regs, vec);        /* the boot's SYSCALL check */
    if (regs->cs & 3) {                        /* from the guest? */
        const char *hv = hv_fault_in_guest_mode(regs == guest_cpu_user_regs(), regs->rip,
                                                vec, regs->error_code, cr2);
        if (hv)
            crash_dump(regs, vec, hv);
        switch (vec) {
        case TRAP_gp_fault:
            pv_do_general_protection(regs);
            return;
        case TRAP_invalid_op:
            pv_do_invalid_op(regs);
            return;
        case TRAP_debug:
            pv_do_debug(regs, true);
            return;
        case TRAP_no_device:
            pv_do_device_not_available(regs);
            return;
        }
        if (vec == TRAP_page_fault && pv_ro_page_fault(regs, cr2))
            return;
        bool err = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17;
        pv_inject_trap(regs, vec, err, regs->error_code, cr2);
        return;
    }
    if (vec == TRAP_debug) {
        /* In the hv (on the IST stack): a guest's data breakpoint hit by
         * the hv's own access to guest memory, or the single-step or
         * deferred breakpoint of a SYSCALL: recorded in the guest's DR6,
         * not delivered; before search_fixup, as the access succeeded. */
        pv_do_debug(regs, false);
        return;
    }
    if (search_fixup(regs))
        return;
    if (regs->rip == (uint64_t)restore_iret_insn) {
        /* The guest frame we were returning to is unacceptable. */
        domain_crash(current->domain, "iret to guest faulted (%s)", trap_names[vec]);
        vcpu_offline(current);          /* never retry this frame */
        reset_stack_and_call(guest_cpu_user_regs(), exit_to_guest);
    }
    crash_dump(regs, vec, NULL);
}

bool guest_range_ok(unsigned long addr, size_t n)
{
    unsigned long end = addr + n;
    if (end < addr)
        return false;
    return end <= GUEST_LOW_END || addr >= GUEST_HIGH_START;
}

int copy_from_guest(void *dst, unsigned long gaddr, size_t n)
{
    if (!guest_range_ok(gaddr, n) || raw_copy_guest(dst, (const void *)gaddr, n))
        return -XEN_EFAULT;
    return 0;
}

int copy_to_guest(unsigned long gaddr, const void *src, size_t n)
{
    if (!guest_range_ok(gaddr, n) || raw_copy_guest((void *)gaddr, src, n))
        return -XEN_EFAULT;
    return 0;
}
