/* event_channel_op: IPI event channels between a domain's vCPUs.  A send
 * sets the port's pending bit in shared_info and, unless the port is
 * masked, the target vCPU's pending selector and upcall flag, then wakes
 * the vCPU (an IPI when it lives on another pCPU).  SCHEDOP_block returns
 * at once while an upcall is pending.  (No upcall is injected: guests
 * here poll the bits; the event callback arrives with a later issue.) */
#include "domain.h"
#include "hypercall.h"
#include "mm.h"
#include "public/event_channel.h"
#include "sched.h"
#include "traps.h"

static struct shared_info *shinfo(struct domain *d)
{
    return mfn_to_virt(d->shared_info_mfn);
}

void evtchn_set_pending(struct domain *d, unsigned int port)
{
    struct shared_info *si = shinfo(d);
    struct vcpu *v = d->vcpu[d->evtchn[port].vcpu];
    unsigned long bit = 1UL << (port % 64);

    if (__atomic_fetch_or(&si->evtchn_pending[port / 64], bit, __ATOMIC_SEQ_CST) & bit)
        return;
    if (si->evtchn_mask[port / 64] & bit)
        return;
    struct vcpu_info *vi = &si->vcpu_info[v->vcpu_id];
    __atomic_or_fetch(&vi->evtchn_pending_sel, 1UL << (port / 64), __ATOMIC_SEQ_CST);
    __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    vcpu_wake(v);                 /* if blocked; remote pCPU: an IPI */
}

bool vcpu_events_pending(struct vcpu *v)
{
    return __atomic_load_n(&shinfo(v->domain)->vcpu_info[v->vcpu_id].evtchn_upcall_pending,
                           __ATOMIC_SEQ_CST);
}

static int port_ok(struct domain *d, evtchn_port_t port)
{
    return port > 0 && port < NR_EVTCHN && d->evtchn[port].state != EVTCHN_free;
}

long do_event_channel_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                         unsigned long a4, unsigned long a5)
{
    struct domain *d = current->domain;

    switch (cmd) {
    case EVTCHNOP_bind_ipi: {
        struct evtchn_bind_ipi b;
        if (copy_from_guest(&b, arg, sizeof(b)))
            return -XEN_EFAULT;
        if (b.vcpu >= d->nr_vcpus)
            return -XEN_ENOENT;
        spin_lock(&d->evtchn_lock);
        evtchn_port_t port = 1;
        while (port < NR_EVTCHN && d->evtchn[port].state != EVTCHN_free)
            port++;
        if (port == NR_EVTCHN) {
            spin_unlock(&d->evtchn_lock);
            return -XEN_ENOSPC;
        }
        d->evtchn[port].state = EVTCHN_ipi;
        d->evtchn[port].vcpu = b.vcpu;
        spin_unlock(&d->evtchn_lock);
        b.port = port;
        return copy_to_guest(arg, &b, sizeof(b));
    }
    case EVTCHNOP_send: {
        struct evtchn_send s;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        if (!port_ok(d, s.port))
            return -XEN_EINVAL;
        evtchn_set_pending(d, s.port);
        return 0;
    }
    case EVTCHNOP_close: {
        struct evtchn_close c;
        if (copy_from_guest(&c, arg, sizeof(c)))
            return -XEN_EFAULT;
        if (!port_ok(d, c.port))
            return -XEN_EINVAL;
        d->evtchn[c.port].state = EVTCHN_free;
        return 0;
    }
    case EVTCHNOP_unmask: {
        struct evtchn_unmask u;
        if (copy_from_guest(&u, arg, sizeof(u)))
            return -XEN_EFAULT;
        if (!port_ok(d, u.port))
            return -XEN_EINVAL;
        struct shared_info *si = shinfo(d);
        __atomic_and_fetch(&si->evtchn_mask[u.port / 64], ~(1UL << (u.port % 64)),
                           __ATOMIC_SEQ_CST);
        if (si->evtchn_pending[u.port / 64] & (1UL << (u.port % 64))) {
            struct vcpu_info *vi = &si->vcpu_info[d->evtchn[u.port].vcpu];
            __atomic_or_fetch(&vi->evtchn_pending_sel, 1UL << (u.port / 64), __ATOMIC_SEQ_CST);
            vi->evtchn_upcall_pending = 1;
            vcpu_wake(d->vcpu[d->evtchn[u.port].vcpu]);
        }
        return 0;
    }
    default: {
        static unsigned long unsupported[2];
        log_unsupported_once(unsupported, "event_channel_op", cmd);
        return -XEN_ENOSYS;
    }
    }
}
