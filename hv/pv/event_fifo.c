/* The FIFO event channel ABI (Xen's common/event_fifo.c; our code):
 * EVTCHNOP_init_control maps a vCPU's control block (16 priority
 * queues' heads and a READY bitmap) from a guest frame and switches the
 * domain from the 2-level ABI for good; EVTCHNOP_expand_array adds
 * event-array pages (one 32-bit event word per port: PENDING, MASKED,
 * LINKED, BUSY and a 17-bit LINK); EVTCHNOP_set_priority.  A pending,
 * unmasked event is linked at the tail of its queue (the notify vCPU's,
 * at the channel's priority), its priority's READY bit set and the
 * upcall raised, as Xen's evtchn_fifo_set_pending.
 *
 * Every operation runs under the domain's evtchn_lock (Xen has a lock
 * per queue); the guest changes event words concurrently, so the hv
 * updates them with atomic operations only.  Guest frames used here
 * hold a writable type reference, as the runstate area's do, until
 * EVTCHNOP_reset takes the domain back to 2-level (evtchn_fifo_destroy;
 * otherwise Xen keeps them until the domain dies too). */
#include "domain.h"
#include "domain_page.h"
#include "event_fifo.h"
#include "hypercall.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "public/event_channel.h"
#include "sched.h"

#define FIFO_PENDING (1U << 31)
#define FIFO_MASKED  (1U << 30)
#define FIFO_LINKED  (1U << 29)
#define FIFO_BUSY    (1U << 28)
#define FIFO_LINK_BITS 17
#define FIFO_LINK_MASK ((1U << FIFO_LINK_BITS) - 1)
#define FIFO_WORDS_PER_PAGE (PAGE_SIZE / sizeof(uint32_t))
#define FIFO_MAX_PAGES ((NR_EVTCHN + FIFO_WORDS_PER_PAGE - 1) / FIFO_WORDS_PER_PAGE)

struct fifo_control_block {
    uint32_t ready;
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};

struct fifo_queue {
    uint32_t *head;                  /* in the guest's control block */
    uint32_t tail;
};

struct fifo_vcpu {
    struct fifo_control_block *cb;   /* NULL: not initialised */
    mfn_t cb_mfn;
    struct fifo_queue q[EVTCHN_FIFO_MAX_QUEUES];
};

struct evtchn_fifo_domain {
    uint32_t *array[FIFO_MAX_PAGES];
    mfn_t array_mfn[FIFO_MAX_PAGES];
    unsigned int num_evtchns;        /* ports with an event word */
    struct fifo_vcpu vcpu[MAX_VCPUS];
};

static struct evtchn_fifo_domain fifo_pool[MAX_DOMAINS];

static uint32_t *word_from_port(const struct domain *d, unsigned int port)
{
    const struct evtchn_fifo_domain *f = d->evtchn_fifo;
    if (port >= f->num_evtchns)
        return NULL;
    return f->array[port / FIFO_WORDS_PER_PAGE] + port % FIFO_WORDS_PER_PAGE;
}

/* A guest frame the hv keeps mapped and writes: Xen's map_guest_page
 * (an own frame that can take a writable type, else -EINVAL). */
static int map_guest_page(struct domain *d, uint64_t gfn, void **virt)
{
    if (gfn > max_mfn || get_page_and_type(gfn, d, PGT_writable))
        return -XEN_EINVAL;
    *virt = map_domain_page_global(gfn);
    if (!*virt) {                       /* the global-map area is full */
        put_page_and_type(gfn, d);
        return -XEN_ENOMEM;
    }
    return 0;
}

static void mark_events_pending(struct domain *d, struct vcpu *v)
{
    if (!__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1,
                             __ATOMIC_SEQ_CST))
        vcpu_wake(v);
}

/* Set tail's LINK to port iff it is still LINKED (Xen's
 * evtchn_fifo_set_link): false if the guest unlinked it meanwhile. */
static bool set_link(uint32_t *tail_word, unsigned int port)
{
    uint32_t w = __atomic_load_n(tail_word, __ATOMIC_SEQ_CST);
    for (unsigned int try = 0; try < 8; try++) {
        if (!(w & FIFO_LINKED))
            return false;
        uint32_t n = (w & ~(FIFO_BUSY | FIFO_LINK_MASK)) | port;
        if (__atomic_compare_exchange_n(tail_word, &w, n, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return true;
    }
    return true;                     /* as Xen: give up, treat as linked */
}

bool evtchn_fifo_set_pending(struct domain *d, unsigned int port)
{
    struct evtchn *ch = &d->evtchn[port];
    struct vcpu *v = d->vcpu[ch->vcpu];
    struct fifo_vcpu *fv = &d->evtchn_fifo->vcpu[v->vcpu_id];
    uint32_t *w = word_from_port(d, port);
    bool linked = true, newly_pending = false;

    if (!w) {                        /* no array page yet: replayed when added */
        ch->fifo_pending = true;
        return false;
    }
    if (!fv->cb)                     /* the guest may not unmask before init */
        return false;
    struct fifo_queue *q = &fv->q[ch->priority];
    struct fifo_queue *old_q = &d->evtchn_fifo->vcpu[ch->last_vcpu].q[ch->last_priority];

    newly_pending = !(__atomic_fetch_or(w, FIFO_PENDING, __ATOMIC_SEQ_CST) & FIFO_PENDING);
    if (!(__atomic_load_n(w, __ATOMIC_SEQ_CST) & FIFO_MASKED) &&
        !(__atomic_fetch_or(w, FIFO_LINKED, __ATOMIC_SEQ_CST) & FIFO_LINKED)) {
        /* A tail moving to another queue leaves its old queue empty. */
        if (old_q->tail == port)
            old_q->tail = 0;
        ch->last_vcpu = v->vcpu_id;
        ch->last_priority = ch->priority;
        linked = false;
        if (q->tail)
            linked = set_link(word_from_port(d, q->tail), port);
        if (!linked)
            __atomic_store_n(q->head, port, __ATOMIC_SEQ_CST);
        q->tail = port;
    }
    if (!linked && !(__atomic_fetch_or(&fv->cb->ready, 1U << ch->priority, __ATOMIC_SEQ_CST) &
                     (1U << ch->priority)))
        mark_events_pending(d, v);
    return newly_pending;
}

void evtchn_fifo_clear_pending(struct domain *d, unsigned int port)
{
    uint32_t *w = word_from_port(d, port);
    d->evtchn[port].fifo_pending = false;
    if (w)                           /* the guest unlinks it itself */
        __atomic_and_fetch(w, ~FIFO_PENDING, __ATOMIC_SEQ_CST);
}

void evtchn_fifo_unmask(struct domain *d, unsigned int port)
{
    uint32_t *w = word_from_port(d, port);
    if (!w)
        return;
    __atomic_and_fetch(w, ~FIFO_MASKED, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(w, __ATOMIC_SEQ_CST) & FIFO_PENDING)
        evtchn_fifo_set_pending(d, port);
}

bool evtchn_fifo_is_pending(const struct domain *d, unsigned int port)
{
    const uint32_t *w = word_from_port(d, port);
    return w && (__atomic_load_n(w, __ATOMIC_SEQ_CST) & FIFO_PENDING);
}

/* Forget the FIFO state after a failed first init_control (Xen's
 * evtchn_fifo_destroy, the XSA-188 fix: nothing half set up survives;
 * no frame was taken yet). */
static void fifo_destroy(struct domain *d)
{
    memset(d->evtchn_fifo, 0, sizeof(*d->evtchn_fifo));
    d->evtchn_fifo = NULL;
}

/* Xen's evtchn_fifo_destroy from evtchn_reset: every control block and
 * event-array page released, the domain on the 2-level ABI again.  The
 * caller holds d's mm_lock and evtchn_lock (senders reach the frames
 * only under the latter). */
void evtchn_fifo_destroy(struct domain *d)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    if (!f)
        return;
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        if (f->vcpu[i].cb)
            put_page_and_type(f->vcpu[i].cb_mfn, d);
    for (unsigned int i = 0; i < f->num_evtchns / FIFO_WORDS_PER_PAGE; i++)
        put_page_and_type(f->array_mfn[i], d);
    fifo_destroy(d);
}

long evtchn_fifo_init_control(struct domain *d, struct evtchn_init_control *ic)
{
    if (ic->vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    if (ic->offset > PAGE_SIZE - sizeof(struct fifo_control_block) || (ic->offset & 7))
        return -XEN_EINVAL;
    bool first = !d->evtchn_fifo;
    if (first) {
        d->evtchn_fifo = &fifo_pool[d->domain_id];
        memset(d->evtchn_fifo, 0, sizeof(*d->evtchn_fifo));
    }
    struct fifo_vcpu *fv = &d->evtchn_fifo->vcpu[ic->vcpu];
    void *page;
    long rc = fv->cb ? -XEN_EINVAL : map_guest_page(d, ic->control_gfn, &page);
    if (rc) {
        if (first)
            fifo_destroy(d);
        return rc;
    }
    fv->cb = (struct fifo_control_block *)((uint8_t *)page + ic->offset);
    fv->cb_mfn = ic->control_gfn;
    for (unsigned int p = 0; p < EVTCHN_FIFO_MAX_QUEUES; p++)
        fv->q[p] = (struct fifo_queue){ .head = &fv->cb->head[p] };
    if (first) {
        /* Switch ABI: the 2-level pending bits become replayed events. */
        struct shared_info *si = mfn_to_virt(d->shared_info_mfn);
        for (unsigned int port = 1; port < NR_EVTCHN; port++) {
            struct evtchn *ch = &d->evtchn[port];
            ch->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
            ch->fifo_pending = ch->state != EVTCHN_free &&
                               (si->evtchn_pending[port / 64] & (1UL << (port % 64)));
        }
    }
    ic->link_bits = FIFO_LINK_BITS;
    return 0;
}

long evtchn_fifo_expand_array(struct domain *d, const struct evtchn_expand_array *ea)
{
    struct evtchn_fifo_domain *f = d->evtchn_fifo;
    if (!f)
        return -XEN_EOPNOTSUPP;
    unsigned int slot = f->num_evtchns / FIFO_WORDS_PER_PAGE;
    if (slot >= FIFO_MAX_PAGES)
        return -XEN_ENOSPC;
    void *page;
    long rc = map_guest_page(d, ea->array_gfn, &page);
    if (rc)
        return rc;
    f->array[slot] = page;
    f->array_mfn[slot] = ea->array_gfn;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    unsigned int first = f->num_evtchns;
    f->num_evtchns += FIFO_WORDS_PER_PAGE;
    for (unsigned int port = first; port < f->num_evtchns && port < NR_EVTCHN; port++)
        if (d->evtchn[port].fifo_pending) {
            d->evtchn[port].fifo_pending = false;
            evtchn_fifo_set_pending(d, port);
        }
    return 0;
}

long evtchn_fifo_set_priority(struct domain *d, unsigned int port, unsigned int priority)
{
    if (!d->evtchn_fifo)
        return -XEN_ENOSYS;           /* the 2-level ABI has no priorities */
    if (priority > EVTCHN_FIFO_PRIORITY_MIN)
        return -XEN_EINVAL;
    d->evtchn[port].priority = priority;   /* takes effect on the next link */
    return 0;
}

/* The frames the FIFO state holds writable type references on (the MMU
 * audit: hv/mm/mm_audit.c). */
void evtchn_fifo_frames(struct domain *d, void (*fn)(struct domain *, mfn_t))
{
    const struct evtchn_fifo_domain *f = d->evtchn_fifo;
    if (!f)
        return;
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        if (f->vcpu[i].cb)
            fn(d, f->vcpu[i].cb_mfn);
    for (unsigned int i = 0; i < f->num_evtchns / FIFO_WORDS_PER_PAGE; i++)
        fn(d, f->array_mfn[i]);
}
