/* sched_op (yield, block, shutdown) and vcpu_op (initialise, up, down,
 * is_up) for the calling domain's vCPUs. */
#include "domain.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "public/sched.h"
#include "public/vcpu.h"
#include "sched.h"
#include "traps.h"

long do_sched_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                 unsigned long a4, unsigned long a5)
{
    struct vcpu *v = current;

    switch (cmd) {
    case SCHEDOP_yield:
        vcpu_yield(v);
        return 0;
    case SCHEDOP_block:
        /* Block, then look again: a send in between must not be lost. */
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
        if (v == current)
            return -XEN_EINVAL;     /* a vCPU does not take itself down here */
        vcpu_offline(v);
        return 0;
    case VCPUOP_is_up:
        return v->runstate != RUNSTATE_offline;
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
