/* event_channel_op with Xen's 2-level ABI (common/event_channel.c and
 * event_2l.c): IPI channels between a domain's vCPUs, unbound and
 * interdomain channels between domains (a domain may also connect to
 * itself), VIRQ channels (VIRQ_TIMER is raised by the vCPU timers of
 * hv/pv/vcpu_timer.c), status, bind_vcpu, close, send and unmask.  A
 * send sets the port's pending bit in shared_info and, unless the port
 * is masked, the target vCPU's pending selector and upcall flag, then
 * wakes the vCPU (an IPI when it lives on another pCPU); the upcall
 * itself is delivered on the way back to the guest (pv_check_events in
 * hv/pv/traps.c).  Once the guest asks for the FIFO ABI
 * (EVTCHNOP_init_control) the pending/mask/unmask state lives in its
 * event words instead (hv/pv/event_fifo.c), until EVTCHNOP_reset closes
 * every port and takes it back to 2-level.  A domU's console port is
 * unbound with the hv as its remote end: a send on it runs the console
 * backend (hv/pv/console_ring.c). */
#include "console.h"
#include "domain.h"
#include "event_fifo.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "public/event_channel.h"
#include "pvmm.h"
#include "sched.h"
#include "traps.h"
#include "vcpu_timer.h"

static struct shared_info *shinfo(struct domain *d)
{
    return mfn_to_virt(d->shared_info_mfn);
}

/* Raise the upcall for a port that is pending and unmasked (Xen's
 * evtchn_2l_set_pending tail, also used by unmask). */
static void mark_upcall(struct domain *d, unsigned int port)
{
    struct vcpu *v = d->vcpu[d->evtchn[port].vcpu];
    struct vcpu_info *vi = v->vcpu_info;

    if (__atomic_fetch_or(&vi->evtchn_pending_sel, 1UL << (port / 64),
                          __ATOMIC_SEQ_CST) & (1UL << (port / 64)))
        return;
    __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    vcpu_wake(v);                 /* if blocked; remote pCPU: an IPI */
}

/* A vCPU polling on this port (or on several ports) wakes, masked or
 * not (Xen's evtchn_check_pollers). */
static void check_pollers(struct domain *d, unsigned int port)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        if (!ACCESS_ONCE(v->polling))
            continue;
        if (v->nr_poll_ports != 1 || v->poll_ports[0] == port)
            vcpu_poll_end(v);
    }
}

void evtchn_set_pending(struct domain *d, unsigned int port)
{
    struct shared_info *si = shinfo(d);
    unsigned long bit = 1UL << (port % 64);

    if (unlikely(d->evtchn_fifo)) {
        if (evtchn_fifo_set_pending(d, port))
            check_pollers(d, port);
        return;
    }

    if (__atomic_fetch_or(&si->evtchn_pending[port / 64], bit, __ATOMIC_SEQ_CST) & bit)
        return;
    if (!(__atomic_load_n(&si->evtchn_mask[port / 64], __ATOMIC_SEQ_CST) & bit))
        mark_upcall(d, port);
    check_pollers(d, port);
}

bool vcpu_events_pending(struct vcpu *v)
{
    return __atomic_load_n(&v->vcpu_info->evtchn_upcall_pending,
                           __ATOMIC_SEQ_CST);
}

/* Raise a per-vCPU VIRQ if the guest bound it (Xen's send_guest_vcpu_virq). */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    struct domain *d = v->domain;
    spin_lock(&d->evtchn_lock);
    unsigned int port = virq < NR_VIRQS_HV ? v->virq_to_evtchn[virq] : 0;
    if (port)
        evtchn_set_pending(d, port);
    spin_unlock(&d->evtchn_lock);
}

/* Xen's virq_is_global: all but TIMER, DEBUG, XENOPROF (7), XENPMU (13). */
static bool virq_is_global(unsigned int virq)
{
    return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == 7 || virq == 13);
}

static bool port_is_valid(evtchn_port_t port)
{
    return port < NR_EVTCHN;
}

/* DOMID_SELF or the caller's own id: the caller; otherwise dom0 may
 * name any domain (Xen's XSM default: privileged or self). */
static struct domain *target_domain(unsigned int id, long *rc)
{
    struct domain *curr = current->domain;
    if (id == DOMID_SELF || id == curr->domain_id)
        return curr;
    struct domain *d = domain_by_id(id);
    if (!d) {
        *rc = -XEN_ESRCH;
        return NULL;
    }
    if (curr->domain_id != 0) {
        *rc = -XEN_EPERM;
        return NULL;
    }
    return d;
}

/* The lowest free port (port 0 stays reserved), or -ENOSPC. */
static long get_free_port(struct domain *d)
{
    for (evtchn_port_t p = 1; p < NR_EVTCHN; p++)
        if (d->evtchn[p].state == EVTCHN_free)
            return p;
    return -XEN_ENOSPC;
}

/* Both domains' channel locks, in domain-id order. */
static void double_lock(struct domain *a, struct domain *b)
{
    if (a == b) {
        spin_lock(&a->evtchn_lock);
    } else if (a->domain_id < b->domain_id) {
        spin_lock(&a->evtchn_lock);
        spin_lock(&b->evtchn_lock);
    } else {
        spin_lock(&b->evtchn_lock);
        spin_lock(&a->evtchn_lock);
    }
}

static void double_unlock(struct domain *a, struct domain *b)
{
    spin_unlock(&a->evtchn_lock);
    if (a != b)
        spin_unlock(&b->evtchn_lock);
}

static void free_port(struct domain *d, evtchn_port_t port)
{
    struct shared_info *si = shinfo(d);
    /* Clear a pending event, so a re-bound port starts clean. */
    if (d->evtchn_fifo)
        evtchn_fifo_clear_pending(d, port);
    else
        __atomic_and_fetch(&si->evtchn_pending[port / 64], ~(1UL << (port % 64)),
                           __ATOMIC_SEQ_CST);
    d->evtchn[port] = (struct evtchn){ .state = EVTCHN_free,
                                       .priority = EVTCHN_FIFO_PRIORITY_DEFAULT };
}

/* Is the port pending, whichever ABI (SCHEDOP_poll)? */
bool evtchn_port_is_pending(struct domain *d, evtchn_port_t port)
{
    if (d->evtchn_fifo)
        return evtchn_fifo_is_pending(d, port);
    return shinfo(d)->evtchn_pending[port / 64] & (1UL << (port % 64));
}

static long evtchn_alloc_unbound(struct evtchn_alloc_unbound *a)
{
    long rc = 0;
    struct domain *d = target_domain(a->dom, &rc);
    if (!d)
        return rc;
    spin_lock(&d->evtchn_lock);
    long port = get_free_port(d);
    if (port >= 0) {
        d->evtchn[port] = (struct evtchn){
            .state = EVTCHN_unbound, .vcpu = 0, .priority = EVTCHN_FIFO_PRIORITY_DEFAULT,
            .remote_dom = a->remote_dom == DOMID_SELF ? current->domain->domain_id
                                                      : a->remote_dom,
        };
        a->port = port;
    }
    spin_unlock(&d->evtchn_lock);
    return port < 0 ? port : 0;
}

static long evtchn_bind_interdomain(struct evtchn_bind_interdomain *b)
{
    struct domain *ld = current->domain;
    struct domain *rd = b->remote_dom == DOMID_SELF ? ld : domain_by_id(b->remote_dom);
    long rc = 0;

    if (!rd)
        return -XEN_ESRCH;
    double_lock(ld, rd);
    long lport = get_free_port(ld);
    if (lport < 0) {
        rc = lport;
    } else if (!port_is_valid(b->remote_port) ||
               rd->evtchn[b->remote_port].state != EVTCHN_unbound ||
               rd->evtchn[b->remote_port].remote_dom != ld->domain_id ||
               (rd == ld && (evtchn_port_t)lport == b->remote_port)) {
        rc = -XEN_EINVAL;
    } else {
        ld->evtchn[lport] = (struct evtchn){
            .state = EVTCHN_interdomain, .vcpu = 0, .priority = EVTCHN_FIFO_PRIORITY_DEFAULT,
            .remote_dom = rd->domain_id, .remote_port = b->remote_port,
        };
        struct evtchn *r = &rd->evtchn[b->remote_port];
        r->state = EVTCHN_interdomain;
        r->remote_dom = ld->domain_id;
        r->remote_port = lport;
        b->local_port = lport;
        /* As Xen: notifications sent to the unbound remote port were
         * lost, so the local port is conservatively made pending. */
        evtchn_set_pending(ld, lport);
    }
    double_unlock(ld, rd);
    return rc;
}

static long evtchn_bind_virq(struct evtchn_bind_virq *b)
{
    struct domain *d = current->domain;
    bool global = virq_is_global(b->virq);

    if (b->virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (global && b->vcpu != 0)
        return -XEN_EINVAL;
    if (b->vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    struct vcpu *v = d->vcpu[b->vcpu];
    spin_lock(&d->evtchn_lock);
    long port = v->virq_to_evtchn[b->virq] ? -XEN_EEXIST : get_free_port(d);
    if (port >= 0) {
        d->evtchn[port] = (struct evtchn){
            .state = EVTCHN_virq, .vcpu = b->vcpu, .virq = b->virq,
            .priority = EVTCHN_FIFO_PRIORITY_DEFAULT,
        };
        v->virq_to_evtchn[b->virq] = port;
        b->port = port;
    }
    spin_unlock(&d->evtchn_lock);
    return port < 0 ? port : 0;
}

static long evtchn_bind_ipi(struct evtchn_bind_ipi *b)
{
    struct domain *d = current->domain;
    if (b->vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    spin_lock(&d->evtchn_lock);
    long port = get_free_port(d);
    if (port >= 0) {
        d->evtchn[port] = (struct evtchn){ .state = EVTCHN_ipi, .vcpu = b->vcpu,
                                           .priority = EVTCHN_FIFO_PRIORITY_DEFAULT };
        b->port = port;
    }
    spin_unlock(&d->evtchn_lock);
    return port < 0 ? port : 0;
}

static long evtchn_close(struct domain *d, evtchn_port_t port)
{
    if (!port_is_valid(port))
        return -XEN_EINVAL;
    for (;;) {
        spin_lock(&d->evtchn_lock);
        struct evtchn *c = &d->evtchn[port];
        switch (c->state) {
        case EVTCHN_free:
        case EVTCHN_reserved:
            spin_unlock(&d->evtchn_lock);
            return -XEN_EINVAL;
        case EVTCHN_virq:
            d->vcpu[c->vcpu]->virq_to_evtchn[c->virq] = 0;
            /* fall through */
        case EVTCHN_unbound:
        case EVTCHN_ipi:
            free_port(d, port);
            spin_unlock(&d->evtchn_lock);
            return 0;
        case EVTCHN_interdomain: {
            struct domain *rd = domain_by_id(c->remote_dom);
            if (rd != d) {             /* retake both locks in order */
                spin_unlock(&d->evtchn_lock);
                double_lock(d, rd);
                if (d->evtchn[port].state != EVTCHN_interdomain ||
                    d->evtchn[port].remote_dom != rd->domain_id) {
                    double_unlock(d, rd);
                    continue;          /* changed meanwhile: look again */
                }
            }
            struct evtchn *r = &rd->evtchn[d->evtchn[port].remote_port];
            r->state = EVTCHN_unbound;   /* the peer may be bound again */
            r->remote_dom = d->domain_id;
            r->remote_port = 0;
            free_port(d, port);
            double_unlock(d, rd);
            return 0;
        }
        default:
            spin_unlock(&d->evtchn_lock);
            return -XEN_EINVAL;
        }
    }
}

static long evtchn_send(struct domain *d, evtchn_port_t port)
{
    if (!port_is_valid(port))
        return -XEN_EINVAL;
    spin_lock(&d->evtchn_lock);
    struct evtchn c = d->evtchn[port];
    long rc = 0;
    switch (c.state) {
    case EVTCHN_interdomain: {
        struct domain *rd = domain_by_id(c.remote_dom);
        spin_unlock(&d->evtchn_lock);
        if (rd && rd->state == DOM_running) {
            spin_lock(&rd->evtchn_lock);
            if (rd->evtchn[c.remote_port].state == EVTCHN_interdomain &&
                rd->evtchn[c.remote_port].remote_dom == d->domain_id &&
                rd->evtchn[c.remote_port].remote_port == port)
                evtchn_set_pending(rd, c.remote_port);
            spin_unlock(&rd->evtchn_lock);
        }
        return 0;
    }
    case EVTCHN_ipi:
        evtchn_set_pending(d, port);
        break;
    case EVTCHN_unbound:
        /* The hv is the remote end (a domU's console port): it consumes
         * now, synchronously.  Any other unbound port: dropped, as Xen. */
        if (port == d->console_port && d->evtchn[port].xen_consumer) {
            spin_unlock(&d->evtchn_lock);
            console_ring_notified(d);
            return 0;
        }
        break;
    default:
        rc = -XEN_EINVAL;
        break;
    }
    spin_unlock(&d->evtchn_lock);
    return rc;
}

static long evtchn_status(struct evtchn_status *s)
{
    long rc = 0;
    struct domain *d = target_domain(s->dom, &rc);
    if (!d)
        return rc;
    if (!port_is_valid(s->port))
        return -XEN_EINVAL;
    spin_lock(&d->evtchn_lock);
    const struct evtchn *c = &d->evtchn[s->port];
    memset(&s->u, 0, sizeof(s->u));
    switch (c->state) {
    case EVTCHN_free:
    case EVTCHN_reserved:
        s->status = EVTCHNSTAT_closed;
        break;
    case EVTCHN_unbound:
        s->status = EVTCHNSTAT_unbound;
        s->u.unbound.dom = c->remote_dom;
        break;
    case EVTCHN_interdomain:
        s->status = EVTCHNSTAT_interdomain;
        s->u.interdomain.dom = c->remote_dom;
        s->u.interdomain.port = c->remote_port;
        break;
    case EVTCHN_virq:
        s->status = EVTCHNSTAT_virq;
        s->u.virq = c->virq;
        break;
    case EVTCHN_ipi:
        s->status = EVTCHNSTAT_ipi;
        break;
    }
    s->vcpu = c->vcpu;
    spin_unlock(&d->evtchn_lock);
    return 0;
}

/* Only channels not tied to a vCPU may move (Xen's evtchn_bind_vcpu). */
static long evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, unsigned int vcpu)
{
    if (vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    if (!port_is_valid(port))
        return -XEN_EINVAL;
    spin_lock(&d->evtchn_lock);
    struct evtchn *c = &d->evtchn[port];
    long rc = 0;
    bool global_virq = c->state == EVTCHN_virq && virq_is_global(c->virq);
    if (c->state == EVTCHN_unbound || c->state == EVTCHN_interdomain || global_virq)
        c->vcpu = vcpu;
    else
        rc = -XEN_EINVAL;
    spin_unlock(&d->evtchn_lock);
    return rc;
}

static long evtchn_unmask(struct domain *d, evtchn_port_t port)
{
    if (!port_is_valid(port))
        return -XEN_EINVAL;
    struct shared_info *si = shinfo(d);
    unsigned long bit = 1UL << (port % 64);
    spin_lock(&d->evtchn_lock);
    if (d->evtchn_fifo) {
        evtchn_fifo_unmask(d, port);
        spin_unlock(&d->evtchn_lock);
        return 0;
    }
    if ((__atomic_fetch_and(&si->evtchn_mask[port / 64], ~bit, __ATOMIC_SEQ_CST) & bit) &&
        (__atomic_load_n(&si->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) & bit))
        mark_upcall(d, port);
    spin_unlock(&d->evtchn_lock);
    return 0;
}

/* Xen's evtchn_reset: the caller itself (DOMID_SELF or its id), or dom0
 * naming a domain (XSM_TARGET; anyone else -EPERM), which then must be
 * paused by its controller: asilab pauses none, so -EINVAL.  Every port
 * is closed (interdomain peers see theirs unbound again; asilab binds no
 * ports of its own, which Xen would keep); a FIFO domain goes back to
 * the 2-level ABI, its frames released.  4096 ports at most: done in one
 * go, where Xen continues the hypercall every 64 (EVTCHNOP_reset_cont). */
static long evtchn_reset(unsigned int dom)
{
    long rc = 0;
    struct domain *d = target_domain(dom, &rc);
    if (!d)
        return rc;
    if (d != current->domain)
        return -XEN_EINVAL;
    if (__atomic_exchange_n(&d->evtchn_resetting, true, __ATOMIC_SEQ_CST))
        return -XEN_EBUSY;
    for (evtchn_port_t p = 1; p < NR_EVTCHN; p++)
        if (ACCESS_ONCE(d->evtchn[p].state) != EVTCHN_free)
            evtchn_close(d, p);
    mm_lock(d);                         /* FIFO frames' types change */
    spin_lock(&d->evtchn_lock);
    for (evtchn_port_t p = 1; p < NR_EVTCHN && !rc; p++)
        if (d->evtchn[p].state != EVTCHN_free)
            rc = -XEN_EAGAIN;           /* bound again meanwhile, as Xen */
    if (!rc)
        evtchn_fifo_destroy(d);
    spin_unlock(&d->evtchn_lock);
    mm_unlock(d);
    __atomic_store_n(&d->evtchn_resetting, false, __ATOMIC_SEQ_CST);
    return rc;
}

long do_event_channel_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                         unsigned long a4, unsigned long a5)
{
    struct domain *d = current->domain;
    long rc;

#define OP(type, fn) {                                              \
        type op;                                                    \
        if (copy_from_guest(&op, arg, sizeof(op)))                  \
            return -XEN_EFAULT;                                     \
        rc = fn(&op);                                               \
        if (!rc && copy_to_guest(arg, &op, sizeof(op)))             \
            rc = -XEN_EFAULT;                                       \
        return rc;                                                  \
    }
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        OP(struct evtchn_alloc_unbound, evtchn_alloc_unbound)
    case EVTCHNOP_bind_interdomain:
        OP(struct evtchn_bind_interdomain, evtchn_bind_interdomain)
    case EVTCHNOP_bind_virq:
        OP(struct evtchn_bind_virq, evtchn_bind_virq)
    case EVTCHNOP_bind_ipi:
        OP(struct evtchn_bind_ipi, evtchn_bind_ipi)
    case EVTCHNOP_status:
        OP(struct evtchn_status, evtchn_status)
    case EVTCHNOP_send: {
        struct evtchn_send s;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        return evtchn_send(d, s.port);
    }
    case EVTCHNOP_close: {
        struct evtchn_close c;
        if (copy_from_guest(&c, arg, sizeof(c)))
            return -XEN_EFAULT;
        return evtchn_close(d, c.port);
    }
    case EVTCHNOP_unmask: {
        struct evtchn_unmask u;
        if (copy_from_guest(&u, arg, sizeof(u)))
            return -XEN_EFAULT;
        return evtchn_unmask(d, u.port);
    }
    case EVTCHNOP_bind_vcpu: {
        struct evtchn_bind_vcpu b;
        if (copy_from_guest(&b, arg, sizeof(b)))
            return -XEN_EFAULT;
        return evtchn_bind_vcpu(d, b.port, b.vcpu);
    }
    case EVTCHNOP_init_control: {
        struct evtchn_init_control ic;
        if (copy_from_guest(&ic, arg, sizeof(ic)))
            return -XEN_EFAULT;
        /* Types change here: the mm_lock first, as vcpu_op takes them. */
        mm_lock(d);
        spin_lock(&d->evtchn_lock);
        rc = evtchn_fifo_init_control(d, &ic);
        spin_unlock(&d->evtchn_lock);
        mm_unlock(d);
        if (!rc && copy_to_guest(arg, &ic, sizeof(ic)))
            rc = -XEN_EFAULT;
        return rc;
    }
    case EVTCHNOP_expand_array: {
        struct evtchn_expand_array ea;
        if (copy_from_guest(&ea, arg, sizeof(ea)))
            return -XEN_EFAULT;
        mm_lock(d);
        spin_lock(&d->evtchn_lock);
        rc = evtchn_fifo_expand_array(d, &ea);
        spin_unlock(&d->evtchn_lock);
        mm_unlock(d);
        return rc;
    }
    case EVTCHNOP_set_priority: {
        struct evtchn_set_priority sp;
        if (copy_from_guest(&sp, arg, sizeof(sp)))
            return -XEN_EFAULT;
        if (!port_is_valid(sp.port))
            return -XEN_EINVAL;
        spin_lock(&d->evtchn_lock);
        rc = evtchn_fifo_set_priority(d, sp.port, sp.priority);
        spin_unlock(&d->evtchn_lock);
        return rc;
    }
    case EVTCHNOP_reset:
    case EVTCHNOP_reset_cont: {
        struct evtchn_reset r;
        if (copy_from_guest(&r, arg, sizeof(r)))
            return -XEN_EFAULT;
        return evtchn_reset(r.dom);
    }
    default: {                          /* bind_pirq: not offered */
        static unsigned long unsupported[2];
        log_unsupported_once(unsupported, "event_channel_op", cmd);
        return -XEN_ENOSYS;
    }
    }
#undef OP
}

/* A port of d whose remote end is the hv (as libxl allocates a domU's
 * console port: unbound, the backend's id as its remote domain; the
 * hv's id is DOMID_XEN, which no domain can bind as): the port, or
 * -ENOSPC. */
long evtchn_alloc_xen_consumer(struct domain *d)
{
    spin_lock(&d->evtchn_lock);
    long port = get_free_port(d);
    if (port >= 0)
        d->evtchn[port] = (struct evtchn){
            .state = EVTCHN_unbound, .vcpu = 0, .priority = EVTCHN_FIFO_PRIORITY_DEFAULT,
            .remote_dom = DOMID_XEN, .xen_consumer = true,
        };
    spin_unlock(&d->evtchn_lock);
    return port;
}

/* The hv, as the remote end, notifies d's port (Xen's
 * notify_via_xen_event_channel; xenconsoled's xenevtchn_notify): only
 * while the port is still the hv's (the guest may have closed it). */
void notify_via_xen_event_channel(struct domain *d, uint32_t port)
{
    if (!port_is_valid(port))
        return;
    spin_lock(&d->evtchn_lock);
    if (d->evtchn[port].state == EVTCHN_unbound && d->evtchn[port].xen_consumer)
        evtchn_set_pending(d, port);
    spin_unlock(&d->evtchn_lock);
}

/* Port 0 is reserved in every domain (Xen's evtchn_init). */
void evtchn_init(struct domain *d)
{
    memset(d->evtchn, 0, sizeof(d->evtchn));
    for (unsigned int p = 0; p < NR_EVTCHN; p++)
        d->evtchn[p].priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
    d->evtchn[0].state = EVTCHN_reserved;
}
