/* Guest time and timers, as Xen's for PV vCPUs: the vcpu_time_info in
 * shared_info (system time = hv time in ns, the TSC scale the guest
 * needs to extrapolate it), the single-shot timer (set_timer_op,
 * VCPUOP_set/stop_singleshot_timer), the periodic timer
 * (VCPUOP_set/stop_periodic_timer), both raising VIRQ_TIMER, and the
 * SCHEDOP_poll timeout.  The pCPU's LAPIC one-shot serves the scheduler's
 * time slice and these deadlines together; while no vCPU of a pCPU has a
 * timer, nothing here runs on its paths.
 *
 * Deviation (README): the hv's time is the TSC times one scale on every
 * pCPU, so each vCPU's time record is written once, when the vCPU is
 * created, and flagged TSC-stable; Xen rewrites it on every schedule-in. */
#include "apic.h"
#include "domain.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "sched.h"
#include "vcpu_timer.h"
#include "x86.h"

#define XEN_PVCLOCK_TSC_STABLE_BIT (1U << 0)

/* Write v's vcpu_time_info: tsc_timestamp 0, system_time 0, and the
 * scale that turns TSC ticks into ns (mul · 2^shift / 2^32). */
void vcpu_time_init(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;
    uint64_t mul = hv_ns_per_tick_32();
    int shift = 0;

    while (mul >= (1UL << 32)) {
        mul >>= 1;
        shift++;
    }
    while (mul && mul < (1UL << 31)) {
        mul <<= 1;
        shift--;
    }
    t->version++;                       /* odd: being updated */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = 0;
    t->system_time = 0;
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->pad1[0] = XEN_PVCLOCK_TSC_STABLE_BIT;   /* flags */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->version++;
}

/* The earliest guest deadline of the vCPUs assigned to pCPU c (0: none). */
static uint64_t next_guest_deadline(unsigned int cpu)
{
    uint64_t best = 0;
    for (unsigned int i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        for (unsigned int j = 0; j < d->nr_vcpus; j++) {
            struct vcpu *v = d->vcpu[j];
            if (v->processor != cpu)
                continue;
            uint64_t t[3] = { v->singleshot_deadline, v->periodic_next, v->poll_deadline };
            for (unsigned int k = 0; k < 3; k++)
                if (t[k] && (!best || t[k] < best))
                    best = t[k];
        }
    }
    return best;
}

/* Program the LAPIC for whichever comes first: the scheduler's slice
 * (when armed) or a guest deadline on this pCPU. */
void timers_reprogram(struct pcpu *c)
{
    uint64_t now = hv_time_ns(), when = next_guest_deadline(c->cpu_id);

    if (c->timer_armed && (!when || c->slice_deadline < when))
        when = c->slice_deadline;
    if (!when) {
        apic_timer_oneshot(0);
        return;
    }
    apic_timer_oneshot(when > now + 1000 ? when - now : 1000);
}

/* The LAPIC fired on this pCPU: raise VIRQ_TIMER for every expired guest
 * timer, end expired polls.  Returns whether the slice has expired. */
bool timers_fire(struct pcpu *c)
{
    uint64_t now = hv_time_ns();

    for (unsigned int i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        for (unsigned int j = 0; j < d->nr_vcpus; j++) {
            struct vcpu *v = d->vcpu[j];
            if (v->processor != c->cpu_id)
                continue;
            if (v->singleshot_deadline && v->singleshot_deadline <= now) {
                v->singleshot_deadline = 0;
                send_guest_vcpu_virq(v, VIRQ_TIMER_HV);
            }
            /* Another vCPU may change the period meanwhile: one
             * snapshot, no loop. */
            uint64_t next = ACCESS_ONCE(v->periodic_next);
            uint64_t period = ACCESS_ONCE(v->periodic_period);
            if (next && next <= now) {
                v->periodic_next = period ? next + ((now - next) / period + 1) * period : 0;
                send_guest_vcpu_virq(v, VIRQ_TIMER_HV);
            }
            if (v->poll_deadline && v->poll_deadline <= now) {
                v->poll_deadline = 0;
                vcpu_poll_end(v);
            }
        }
    }
    return c->timer_armed && c->slice_deadline <= now;
}

static void timer_changed(struct vcpu *v)
{
    struct pcpu *c = &pcpus[v->processor];
    if (!c->guest_timers && (v->singleshot_deadline || v->periodic_next ||
                             v->poll_deadline)) {
        /* From now on the slice's end is tracked too; a slice already
         * running is taken to end one full slice from now. */
        c->slice_deadline = hv_time_ns() + TIMESLICE_NS;
        c->guest_timers = true;
    }
    if (v->processor == smp_processor_id())
        timers_reprogram(c);
    else                                  /* that pCPU reprograms on its way out */
        raise_softirq(v->processor, TIMER_SOFTIRQ);
}

/* set_timer_op / VCPUOP_set_singleshot_timer: an absolute deadline in
 * system time (ns); 0 stops it. */
void vcpu_set_singleshot(struct vcpu *v, uint64_t deadline)
{
    v->singleshot_deadline = deadline;
    timer_changed(v);
}

void vcpu_set_periodic(struct vcpu *v, uint64_t period)
{
    v->periodic_period = period;
    v->periodic_next = period ? hv_time_ns() + period : 0;
    timer_changed(v);
}

void vcpu_set_poll_deadline(struct vcpu *v, uint64_t deadline)
{
    v->poll_deadline = deadline;
    timer_changed(v);
}

/* As Xen's do_set_timer_op: 0 stops the timer, a deadline already past
 * fires at once (as soon as possible), and one that went negative or
 * lies more than 2^50 ns (about 13 days) ahead, a wrapped Linux jiffy
 * deadline, fires in 100 ms instead. */
long do_set_timer_op(unsigned long timeout, unsigned long a2, unsigned long a3,
                     unsigned long a4, unsigned long a5)
{
    uint64_t now = hv_time_ns();
    int64_t offset = (int64_t)(timeout - now);

    if (timeout && ((int64_t)timeout < 0 || (offset > 0 && (offset >> 50))))
        timeout = now + 100000000;
    vcpu_set_singleshot(current, timeout);
    return 0;
}
