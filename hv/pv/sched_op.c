/* sched_op (yield, block, shutdown, poll) and vcpu_op (initialise, up,
 * down, is_up, runstate, the single-shot and periodic timers, moving
 * vcpu_info: map_vcpu_info in hv/pv/domain.c, the time area, get_physid,
 * send_nmi's argument check) for the
 * calling domain's vCPUs; set_timer_op is in hv/sched/vcpu_timer.c. */
#include "apic.h"
#include "domain.h"
#include "emulate.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "public/sched.h"
#include "public/vcpu.h"
#include "sched.h"
#include "traps.h"
#include "vcpu_timer.h"
#include "public/event_channel.h"

/* Xen's do_poll: block until one of the ports is pending (masked or
 * not), an upcall is due, or the timeout passes. */
static long do_poll(struct vcpu *v, const struct sched_poll *sp)
{
    struct domain *d = v->domain;
    struct vcpu_info *vi = v->vcpu_info;

    if (sp->nr_ports > 128)
        return -XEN_EINVAL;
    if (!guest_range_ok(sp->ports, sp->nr_ports * sizeof(evtchn_port_t)))
        return -XEN_EFAULT;
    if (copy_from_guest(v->poll_ports, sp->ports, sp->nr_ports * sizeof(evtchn_port_t)))
        return -XEN_EFAULT;
    v->nr_poll_ports = sp->nr_ports;
    spin_lock(&d->evtchn_lock);
    if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask) {
        spin_unlock(&d->evtchn_lock);
        return 0;
    }
    for (unsigned int i = 0; i < sp->nr_ports; i++) {
        evtchn_port_t p = v->poll_ports[i];
        /* Xen's evtchn_port_poll: a free or reserved port is -EINVAL. */
        if (p >= NR_EVTCHN || d->evtchn[p].state <= EVTCHN_reserved) {
            spin_unlock(&d->evtchn_lock);
            return -XEN_EINVAL;
        }
        if (evtchn_port_is_pending(d, p)) {
            spin_unlock(&d->evtchn_lock);
            return 0;
        }
    }
    v->polling = true;               /* evtchn_set_pending ends it */
    vcpu_block(v);
    spin_unlock(&d->evtchn_lock);
    if (sp->timeout)
        vcpu_set_poll_deadline(v, sp->timeout);
    return 0;
}

void vcpu_poll_end(struct vcpu *v)
{
    if (!v->polling)
        return;
    v->polling = false;
    v->poll_deadline = 0;
    vcpu_wake(v);
}

long do_sched_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                 unsigned long a4, unsigned long a5)
{
    struct vcpu *v = current;

    switch (cmd) {
    case SCHEDOP_yield:
        vcpu_yield(v);
        return 0;
    case SCHEDOP_block:
        /* As Xen's vcpu_block_enable_events: event delivery is enabled,
         * then block, then look again (a send in between must not be
         * lost); a pending upcall is delivered on the way back. */
        pv_vcpu_info(v)->evtchn_upcall_mask = 0;
        vcpu_block(v);
        if (vcpu_events_pending(v))
            vcpu_wake(v);
        return 0;
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        if (s.reason > SHUTDOWN_watchdog)
            return -XEN_EINVAL;
        domain_shutdown(v->domain, s.reason);
        return 0;
    }
    case SCHEDOP_poll: {
        struct sched_poll sp;
        if (copy_from_guest(&sp, arg, sizeof(sp)))
            return -XEN_EFAULT;
        return do_poll(v, &sp);
    }
    default: {
        static unsigned long unsupported[2];
        log_unsupported_once(unsupported, "sched_op", cmd);
        return -XEN_ENOSYS;
    }
    }
}

/* One context at a time per pCPU: too big for the hv stack. */
static struct vcpu_guest_context ctxt_buf[NR_CPUS];

long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg,
                unsigned long a4, unsigned long a5)
{
    struct domain *d = current->domain;

    if (vcpuid >= d->nr_vcpus)
        return -XEN_ENOENT;
    struct vcpu *v = d->vcpu[vcpuid];

    switch (cmd) {
    case VCPUOP_initialise: {
        struct vcpu_guest_context *c = &ctxt_buf[smp_processor_id()];
        if (v->initialised)
            return -XEN_EEXIST;
        if (copy_from_guest(c, arg, sizeof(*c)))
            return -XEN_EFAULT;
        return vcpu_initialise_context(v, c);
    }
    case VCPUOP_up:
        if (!v->initialised)
            return -XEN_EINVAL;
        vcpu_up(v);
        return 0;
    case VCPUOP_down:
        /* As Xen: the last vCPU going down powers the domain off; a
         * vCPU may take itself down (it runs again after VCPUOP_up,
         * returning from this hypercall). */
        for (unsigned int i = 0; i < d->nr_vcpus; i++)
            if (i != vcpuid && d->vcpu[i]->runstate != RUNSTATE_offline)
                goto others_up;
        domain_shutdown(d, SHUTDOWN_poweroff);
        return 0;
    others_up:
        if (v->runstate != RUNSTATE_offline)
            vcpu_offline(v);
        return 0;
    case VCPUOP_is_up:
        return v->runstate != RUNSTATE_offline;
    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info ri = {
            .state = v->runstate, .state_entry_time = v->runstate_entry,
            .time = { v->runstate_time[0], v->runstate_time[1],
                      v->runstate_time[2], v->runstate_time[3] },
        };
        return copy_to_guest(arg, &ri, sizeof(ri));
    }
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer t;
        if (copy_from_guest(&t, arg, sizeof(t)))
            return -XEN_EFAULT;
        if (t.period_ns < 1000000 || t.period_ns > (1UL << 62))
            return -XEN_EINVAL;
        vcpu_set_periodic(v, t.period_ns);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        vcpu_set_periodic(v, 0);
        return 0;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer t;
        if (v != current)
            return -XEN_EINVAL;
        if (copy_from_guest(&t, arg, sizeof(t)))
            return -XEN_EFAULT;
        /* Past: the event at once.  Xen's timers take signed deadlines,
         * so one of 2^63 or more is past as well. */
        if (t.timeout_abs_ns < hv_time_ns() || (int64_t)t.timeout_abs_ns < 0) {
            vcpu_set_singleshot(v, 0);
            send_guest_vcpu_virq(v, VIRQ_TIMER);
            return 0;
        }
        vcpu_set_singleshot(v, t.timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if (v != current)
            return -XEN_EINVAL;
        vcpu_set_singleshot(v, 0);
        return 0;
    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info info;
        if (copy_from_guest(&info, arg, sizeof(info)))
            return -XEN_EFAULT;
        return map_vcpu_info(v, info.mfn, info.offset);
    }
    case VCPUOP_register_vcpu_time_memory_area: {
        struct vcpu_register_time_memory_area a;
        if (copy_from_guest(&a, arg, sizeof(a)))
            return -XEN_EFAULT;
        if (!guest_range_ok(a.addr.p, sizeof(struct vcpu_time_info)))
            return -XEN_EFAULT;
        /* Xen's force_update_vcpu_system_time: the record, now (a
         * write that faults is ignored, as Xen ignores it).  It never
         * changes afterwards (hv/sched/vcpu_timer.c), so Xen's rewrites
         * on every schedule-in are not needed: the address is not kept. */
        if (a.addr.p)
            copy_to_guest(a.addr.p, &v->vcpu_info->time, sizeof(struct vcpu_time_info));
        return 0;
    }
    case VCPUOP_get_physid: {
        /* Xen's is_hwdom_pinned_vcpu: dom0's vCPUs that can run on one
         * pCPU only, which every asilab vCPU is (none migrates).  As
         * Xen, the ids are those of the pCPU numbered as the vCPU. */
        if (!is_control_domain(d))
            return -XEN_EINVAL;
        unsigned int cpu = v->vcpu_id;
        bool up = cpu < NR_CPUS && pcpus[cpu].online;
        struct vcpu_get_physid id = {
            .phys_id = (uint64_t)(up ? pcpus[cpu].apic_id : 0xffffffffU) |
                       ((uint64_t)(int64_t)acpi_get_processor_id(cpu) << 32),
        };
        return copy_to_guest(arg, &id, sizeof(id)) ? -XEN_EFAULT : 0;
    }
    case VCPUOP_send_nmi:
        if (arg)
            return -XEN_EINVAL;
        return -XEN_ENOSYS;         /* no NMI is forwarded (README, deviations) */
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area a;
        if (copy_from_guest(&a, arg, sizeof(a)))
            return -XEN_EFAULT;
        return vcpu_register_runstate(v, a.addr.p);
    }
    default: {
        static unsigned long unsupported[2];
        log_unsupported_once(unsupported, "vcpu_op", cmd);
        return -XEN_ENOSYS;
    }
    }
}
