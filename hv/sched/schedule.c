/* Per-pCPU run queues (round robin), yield/block/wake, one-shot timer
 * preemption, and context_switch: save the outgoing vCPU's frame and
 * segment state, load the incoming one's, and load its page tables
 * through the strategy (write_ptbase). */
#include "apic.h"
#include "descriptor.h"
#include "emulate.h"
#include "domain_page.h"
#include "flushtlb.h"
#include "i387.h"
#include "console.h"
#include "lab.h"
#include "page.h"
#include "pvmm.h"
#include "sched.h"
#include "strategy.h"
#include "spinlock.h"
#include "traps.h"
#include "vcpu_timer.h"
#include "x86.h"

struct pcpu pcpus[NR_CPUS];
unsigned int nr_cpus_online;
static struct vcpu idle_vcpus[NR_CPUS];

/* Runstate accounting, in ns of hv time, as Xen's vcpu_runstate_info. */
static void set_runstate(struct vcpu *v, unsigned int new)
{
    uint64_t now = hv_time_ns();
    if (v->runstate <= RUNSTATE_offline)
        v->runstate_time[v->runstate] += now - v->runstate_entry;
    v->runstate_entry = now;
    v->runstate = new;
}

/* Write v's runstate into its registered guest area; v's tables must be
 * the live ones.  The area may straddle a page boundary.  The write goes
 * through the guest's own mapping with the guest's permissions (CR0.WP
 * and the user bit on every guest entry: page.h), so it can never land
 * in a page table or descriptor frame. */
static void update_runstate_area(struct vcpu *v)
{
    if (!v->runstate_area)
        return;
    struct vcpu_runstate_info ri = {
        .state = v->runstate, .state_entry_time = v->runstate_entry,
        .time = { v->runstate_time[0], v->runstate_time[1],
                  v->runstate_time[2], v->runstate_time[3] },
    };
    /* VMASST_TYPE_runstate_update_flag: as Xen, XEN_RUNSTATE_UPDATE is
     * set in state_entry_time's top byte while the rest is rewritten. */
    bool flag = v->domain->vm_assist & (1UL << VMASST_TYPE_runstate_update_flag);
    unsigned long top = v->runstate_area + offsetof(struct vcpu_runstate_info,
                                                    state_entry_time) + 7;
    uint8_t busy = (ri.state_entry_time | XEN_RUNSTATE_UPDATE) >> 56;
    uint8_t done = ri.state_entry_time >> 56;
    int rc = flag ? copy_to_guest(top, &busy, 1) : 0;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (!rc)
        rc = copy_to_guest(v->runstate_area, &ri, sizeof(ri));
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (!rc && flag)
        rc = copy_to_guest(top, &done, 1);
    /* A simplification of Xen, which retries on the next kernel entry. */
    if (rc)
        v->runstate_area = 0;
}

/* VCPUOP_register_runstate_memory_area, under the domain's mm_lock: the
 * area must be mapped writable (present, user, RW) in the caller's
 * current tables, and its one or two frames there take a writable type
 * reference, held until the next registration, so that none of them can
 * become a page table or descriptor page while registered.  The writes
 * themselves go through v's tables at the time (its user L4, or a VA the
 * guest has remapped since, may name other frames): what makes them safe
 * is that they use the guest's own permissions (update_runstate_area).
 * (Xen 4.17 takes no reference for this virtual-address area, accepts an
 * unmapped one, and writes another vCPU's area at once; Xen 4.19's
 * VCPUOP_register_runstate_phys_area does take the reference: README,
 * deviations.) */
int vcpu_register_runstate(struct vcpu *v, unsigned long area)
{
    struct domain *d = v->domain;
    mfn_t mfn[2] = { 0, 0 };
    unsigned long last = area + sizeof(struct vcpu_runstate_info) - 1;

    if (area) {
        if (!guest_range_ok(area, sizeof(struct vcpu_runstate_info)))
            return -XEN_EFAULT;
        mfn[0] = guest_va_to_mfn(current, area, true);
        if ((area ^ last) >> PAGE_SHIFT)
            mfn[1] = guest_va_to_mfn(current, last, true);
        if (mfn[0] == INVALID_MFN || mfn[1] == INVALID_MFN)
            return -XEN_EFAULT;
        for (unsigned int i = 0; i < 2; i++)
            if (mfn[i] && get_page_and_type(mfn[i], d, PGT_writable)) {
                if (i)
                    put_page_and_type(mfn[0], d);
                return -XEN_EFAULT;
            }
    }
    for (unsigned int i = 0; i < 2; i++) {
        if (v->runstate_mfn[i])
            put_page_and_type(v->runstate_mfn[i], d);
        v->runstate_mfn[i] = mfn[i];
    }
    v->runstate_area = area;
    if (v == current)
        update_runstate_area(v);
    return 0;
}

void raise_softirq(unsigned int cpu, unsigned int nr)
{
    __atomic_or_fetch(&pcpus[cpu].softirq_pending, 1UL << nr, __ATOMIC_SEQ_CST);
    if (cpu != smp_processor_id())
        send_ipi(cpu, EVENT_CHECK_VECTOR);
}

void sched_init_cpu(unsigned int cpu)
{
    struct pcpu *c = &pcpus[cpu];
    struct vcpu *idle = &idle_vcpus[cpu];
    idle->is_idle = true;
    idle->processor = cpu;
    idle->runstate = RUNSTATE_running;
    if (mapcache_vcpu_init(idle))
        panic("no memory for pCPU %u's idle mapcache", cpu);
    c->cpu_id = cpu;
    c->idle = c->curr = idle;
    get_cpu_info()->current_vcpu = idle;
}

static void rq_push(struct pcpu *c, struct vcpu *v)
{
    v->rq_next = NULL;
    if (c->rq_tail)
        c->rq_tail->rq_next = v;
    else
        c->rq_head = v;
    c->rq_tail = v;
}

static struct vcpu *rq_pop(struct pcpu *c)
{
    struct vcpu *v = c->rq_head;
    if (v) {
        c->rq_head = v->rq_next;
        if (!c->rq_head)
            c->rq_tail = NULL;
    }
    return v;
}

static void rq_remove(struct pcpu *c, struct vcpu *v)
{
    struct vcpu **pp = &c->rq_head, *prev = NULL;
    for (; *pp; prev = *pp, pp = &(*pp)->rq_next)
        if (*pp == v) {
            *pp = v->rq_next;
            if (c->rq_tail == v)
                c->rq_tail = prev;
            return;
        }
}

/* A vCPU's run state and its pCPU's run queue change under that pCPU's
 * rq_lock (the hv runs with interrupts off), so other pCPUs may wake it. */
static void make_runnable(struct vcpu *v, unsigned int from)
{
    struct pcpu *c = &pcpus[v->processor];

    spin_lock(&c->rq_lock);
    bool woke = v->runstate == from && ACCESS_ONCE(v->domain->state) == DOM_running &&
                v->initialised;
    if (woke) {
        set_runstate(v, RUNSTATE_runnable);
        rq_push(c, v);
    }
    spin_unlock(&c->rq_lock);
    if (woke)
        raise_softirq(v->processor, SCHEDULE_SOFTIRQ);
}

/* Events wake only a blocked vCPU; only VCPUOP_up (or the domain
 * builder) brings an initialised vCPU out of offline. */
void vcpu_wake(struct vcpu *v)
{
    make_runnable(v, RUNSTATE_blocked);
}

void vcpu_up(struct vcpu *v)
{
    make_runnable(v, RUNSTATE_offline);
}

void vcpu_block(struct vcpu *v)
{
    struct pcpu *c = &pcpus[v->processor];

    spin_lock(&c->rq_lock);
    if (v->runstate == RUNSTATE_running)
        set_runstate(v, RUNSTATE_blocked);
    spin_unlock(&c->rq_lock);
    raise_softirq(v->processor, SCHEDULE_SOFTIRQ);
}

void vcpu_yield(struct vcpu *v)
{
    raise_softirq(v->processor, SCHEDULE_SOFTIRQ);
}

void vcpu_offline(struct vcpu *v)
{
    struct pcpu *c = &pcpus[v->processor];

    spin_lock(&c->rq_lock);
    if (v->runstate == RUNSTATE_runnable)
        rq_remove(c, v);
    set_runstate(v, RUNSTATE_offline);
    bool running = c->curr == v;
    spin_unlock(&c->rq_lock);
    if (running)
        raise_softirq(v->processor, SCHEDULE_SOFTIRQ);
}

/* Xen's write_ptbase: a context switch or a new base pointer (a toggle
 * is toggle_guest_mode's, without the flush). */
void write_ptbase(struct vcpu *v)
{
    strategy_write_ptbase(v);
    ptbase_flush();
}

static uint16_t read_sel(int which)
{
    uint16_t s;
    switch (which) {
    case 0: __asm__ volatile("mov %%ds,%0" : "=r"(s)); break;
    case 1: __asm__ volatile("mov %%es,%0" : "=r"(s)); break;
    case 2: __asm__ volatile("mov %%fs,%0" : "=r"(s)); break;
    default: __asm__ volatile("mov %%gs,%0" : "=r"(s)); break;
    }
    return s;
}

static void save_segments(struct vcpu *v)
{
    struct cpu_user_regs *r = &v->user_regs;
    r->ds = read_sel(0);
    r->es = read_sel(1);
    r->fs = read_sel(2);
    r->gs = read_sel(3);
    v->fs_base = rdmsr(MSR_FS_BASE);
    uint64_t gs = rdmsr(MSR_GS_BASE), shadow = rdmsr(MSR_SHADOW_GS_BASE);
    v->gs_base_kernel = guest_kernel_mode(v) ? gs : shadow;
    v->gs_base_user = guest_kernel_mode(v) ? shadow : gs;
}

/* A selector saved earlier may name a descriptor the guest has changed
 * since: if loading it faults, load the null selector instead and
 * clear *ok (Xen's loadsegment). */
#define LOAD_SEG_SAFE(seg, val, ok) do {                                  \
        uint32_t _v = (val);                                              \
        __asm__ volatile("1: mov %k0, %%" #seg "\n2:\n"                  \
                         ".section .fixup, \"ax\"\n"                     \
                         "3: xor %k0, %k0\n mov %k0, %%" #seg "\n"        \
                         " movb $0, %1\n jmp 2b\n"                        \
                         ".previous\n"                                    \
                         ".section .ex_table, \"a\"\n .quad 1b, 3b\n.previous" \
                         : "+r"(_v), "+m"(ok) :: "memory");               \
    } while (0)

/* Load v's selectors and bases; false if a selector would not load
 * (then the guest gets its failsafe callback, as on Xen). */
static bool load_segments(struct vcpu *v)
{
    const struct cpu_user_regs *r = &v->user_regs;
    bool ok = true;
    LOAD_SEG_SAFE(ds, r->ds, ok);
    LOAD_SEG_SAFE(es, r->es, ok);
    LOAD_SEG_SAFE(fs, r->fs, ok);
    LOAD_SEG_SAFE(gs, r->gs, ok);
    wrmsr(MSR_FS_BASE, v->fs_base);
    wrmsr(MSR_GS_BASE, guest_kernel_mode(v) ? v->gs_base_kernel : v->gs_base_user);
    wrmsr(MSR_SHADOW_GS_BASE, guest_kernel_mode(v) ? v->gs_base_user : v->gs_base_kernel);
    return ok;
}

/* Xen's __context_switch: the hardware holds the state of c->last_guest
 * (prev, or the vCPU idle kept lazily); save it and load next's.  prev
 * only names the vCPU being left (the leak probe). */
static inline __attribute__((always_inline)) void
__context_switch(struct pcpu *c, struct vcpu *prev, struct vcpu *next)
{
    struct cpu_info *ci = get_cpu_info();
    struct vcpu *held = c->last_guest;

    if (held) {
        held->user_regs = ci->guest_cpu_user_regs;
        save_segments(held);
        vcpu_save_fpu(held);
    }
    /* The guest state in the hardware: held's, or the idle vCPU's
     * defaults.  held is never next (that is the lazy return). */
    const struct vcpu *loaded = held ? held : c->idle;
    /* held's tables stayed live here only while idle kept its CR3. */
    if (held)
        held->dirty_cpu = NO_CPU;
    c->stack_zero_pending = asilab_stackzero;       /* not a lazy return */
    /* The probe looks at what its own domain left behind. */
    c->probe_scan_pending = c->probe_armed && !prev->is_idle &&
                            prev->domain == c->probe_domain;
    next->dirty_cpu = c->cpu_id;
    /* Publish before reading next's tables: a modifier stores the
     * entry, then reads dirty_cpu (flush targets). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ci->guest_cpu_user_regs = next->user_regs;
    vcpu_restore_fpu(next);
    if (unlikely((loaded->ctrlreg[4] ^ next->ctrlreg[4]) &
                 (X86_CR4_TSD | X86_CR4_FSGSBASE)))
        write_cr4(pv_make_cr4(next));
    if (unlikely((loaded->dr7 | next->dr7) & 0xff))
        pv_debugregs_switch(loaded, next);
    descriptors_switch_out(held, next);
    write_ptbase(next);
    /* From here next's tables are loaded (perdomain's fast path checks
     * it); toggles and new base pointers keep it so. */
    c->last_guest = next;
    descriptors_switch_in(next);
    if (unlikely(!load_segments(next))) {
        const uint16_t sel[4] = { next->user_regs.ds, next->user_regs.es,
                                  next->user_regs.fs, next->user_regs.gs };
        pv_failsafe_bounce(next, &ci->guest_cpu_user_regs, sel);
    }
}

/* Xen's context_switch, lazy as Xen's: to idle, the outgoing vCPU's
 * state stays in the hardware (and its tables in CR3); back from idle to
 * that same vCPU nothing is switched; only another vCPU takes
 * __context_switch.  The runstate areas are written either way.
 * Xen also has sync_vcpu_execstate (a FLUSH_VCPU_STATE IPI makes the
 * holding pCPU write a lazily held state back) for whoever reads or
 * replaces another vCPU's state; here nobody does: vCPUs never migrate,
 * and the hv writes a vCPU's saved state only before its first run
 * (VCPUOP_initialise refuses an initialised vCPU), when no pCPU holds
 * it.  Migration or a get-context operation would need it. */
static void context_switch(struct pcpu *c, struct vcpu *prev, struct vcpu *next)
{
    struct cpu_info *ci = get_cpu_info();

    if (!prev->is_idle)
        update_runstate_area(prev);           /* its tables are still live */
    ci->current_vcpu = next;
    if (!next->is_idle) {
        if (c->last_guest != next)
            __context_switch(c, prev, next);
        update_runstate_area(next);
    }
    this_cpu_count(ctx_switch, 1);
}

static void schedule(void)
{
    struct pcpu *c = this_pcpu();
    struct vcpu *prev = c->curr, *next;
    bool waiting;

    spin_lock(&c->rq_lock);
    if (!prev->is_idle && prev->runstate == RUNSTATE_running) {
        set_runstate(prev, RUNSTATE_runnable);
        rq_push(c, prev);
    }
    next = rq_pop(c);
    if (!next)
        next = c->idle;
    set_runstate(next, RUNSTATE_running);
    c->curr = next;
    waiting = c->rq_head != NULL;
    spin_unlock(&c->rq_lock);
    /* Preempt only when someone else is waiting: a fresh slice for a new
     * vCPU; stop the timer when nobody waits.  (No LAPIC write when
     * nothing changes: a yield with an empty queue touches no MMIO.) */
    if (waiting && (next != prev || !c->timer_armed)) {
        apic_timer_oneshot(TIMESLICE_NS);
        c->timer_armed = true;
        if (unlikely(c->guest_timers))
            c->slice_deadline = hv_time_ns() + TIMESLICE_NS;
    } else if (!waiting && c->timer_armed) {
        apic_timer_oneshot(0);
        c->timer_armed = false;
    }
    if (unlikely(c->guest_timers))      /* the slice and guest deadlines share it */
        timers_reprogram(c);
    if (next != prev)
        context_switch(c, prev, next);
}

void sched_timer_tick(void)
{
    struct pcpu *c = this_pcpu();

    if (unlikely(c->guest_timers)) {
        bool slice_over = timers_fire(c);
        if (c->timer_armed && !slice_over) {   /* a guest deadline, not the slice */
            timers_reprogram(c);
            return;
        }
        c->timer_armed = false;
        if (c->rq_head)
            raise_softirq(smp_processor_id(), SCHEDULE_SOFTIRQ);
        timers_reprogram(c);
        return;
    }
    c->timer_armed = false;                 /* one-shot: it has fired */
    if (c->rq_head)
        raise_softirq(smp_processor_id(), SCHEDULE_SOFTIRQ);
}

void do_softirqs(void)
{
    struct pcpu *c = this_pcpu();
    unsigned long p;
    while ((p = __atomic_exchange_n(&c->softirq_pending, 0, __ATOMIC_SEQ_CST)))
    {
        if (p & (1UL << SCHEDULE_SOFTIRQ))
            schedule();
        if (p & (1UL << TIMER_SOFTIRQ))
            timers_reprogram(c);
    }
}

/* After a switch to another vCPU, on the fresh stack context: everything
 * below our own frame is dead.  With +stackzero, zero it (Xen's ASI
 * series zeroes the stack on context switch); then, if the leak probe is
 * armed, count its pattern in what is left.  Inline, no calls: nothing
 * below %rsp is live.  IST stacks need no zeroing here: an NMI, #DF or
 * #MC ends the run with a crash dump. */
static __attribute__((always_inline)) inline void stack_after_switch(struct pcpu *c)
{
    unsigned long rsp, bottom = ((unsigned long)get_cpu_info() & ~(STACK_SIZE - 1))
                                + PRIMARY_STACK_BOTTOM;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    rsp &= ~7UL;
    if (c->stack_zero_pending) {
        unsigned long p = bottom, n = (rsp - bottom) / 8;
        __asm__ volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(0UL) : "memory");
        this_cpu_count(stack_zero_bytes, rsp - bottom);
        c->stack_zero_pending = false;
    }
    if (c->probe_scan_pending) {
        long found = 0;
        for (const volatile uint64_t *p = (uint64_t *)bottom; p < (uint64_t *)rsp; p++)
            found += *p == c->probe_pattern;
        c->probe_found = found;
        c->probe_armed = c->probe_scan_pending = false;
    }
}

/* Leave the hv: run softirqs, idle while nothing is runnable, then
 * sanitise the frame and restore_all_guest.  Never returns. */
void exit_to_guest(void)
{
    struct cpu_info *ci = get_cpu_info();
    struct cpu_user_regs *regs = &ci->guest_cpu_user_regs;

    for (;;) {
        local_irq_disable();
        if (ACCESS_ONCE(pcpus[ci->processor_id].softirq_pending))
            do_softirqs();
        struct vcpu *v = ci->current_vcpu;
        if (v->is_idle) {
            if (unlikely(lab_calib_spin)) {
                /* A loop (each turn a branch, where TCG too takes
                 * interrupts), not sti; pause; cli in one block. */
                local_irq_enable();
                while (lab_calib_spin)
                    cpu_relax();
                local_irq_disable();
            } else
                __asm__ volatile("sti; hlt; cli" ::: "memory");
            continue;
        }
        if (unlikely(pv_check_events(v, regs)))
            continue;                   /* crashed it: schedule away */
        if (likely(!strategy_exit_to_guest(v)))
            break;
        /* The strategy found a state it cannot run the guest in: it has
         * crashed the domain; never enter this vCPU again. */
        vcpu_offline(v);
    }
    domain_page_check_released();     /* the strategy's exit work included */
    struct pcpu *c = &pcpus[ci->processor_id];
    if (unlikely(c->after_switch))
        stack_after_switch(c);
    /* The frame's selectors are the guest's (from the hardware, from
     * HYPERVISOR_iret, VCPUOP_initialise or a bounce frame): every writer
     * keeps RPL 3, and so does this (Xen relies on the writers alone).  A
     * selector that will not load faults the iret (restore_iret_insn:
     * the domain crashes).  A frame from SYSCALL leaves by SYSRETQ, into
     * the flat 64-bit selectors whatever the frame says, as on Xen; to
     * FLAT_RING3_CS32 Xen takes SYSRETL, here IRET (the guest sees the
     * same but for rcx and r11, which SYSRETL overwrites). */
    regs->cs |= 3;
    regs->ss |= 3;
    if (regs->cs == FLAT_RING3_CS32)
        regs->entry_vector &= ~TRAP_syscall;
    regs->rflags = (regs->rflags & ~(X86_EFLAGS_IOPL | X86_EFLAGS_NT |
                                     X86_EFLAGS_VM | X86_EFLAGS_VIF |
                                     X86_EFLAGS_VIP | X86_EFLAGS_RF))
                   | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    if (!is_canonical(regs->rip))
        regs->entry_vector &= ~TRAP_syscall;
    restore_all_guest(regs);
}
