/* The domU console backend: what xenconsoled (tools/console/daemon/io.c)
 * does for a domU's PV console, done by the hv.  The domain builder
 * gives every domU a console page (a struct xencons_interface) and an
 * unbound port whose remote end is the hv (start_info's console.domU);
 * when the guest notifies that port (EVTCHNOP_send) the hv consumes the
 * out ring there and then, synchronously (deterministic: no daemon, no
 * scheduling), sends the bytes through the guest console line handling
 * of console_io (hv/pv/console.c: "(dN) " prefix, result records) with
 * a line buffer of its own, advances out_cons and notifies the port
 * back, as xenconsoled's buffer_append.  The in ring stays empty: the hv
 * takes no serial input (README).
 *
 * The page is the guest's and hostile: each index is read once, and an
 * out_prod - out_cons beyond the ring's size is ignored, nothing consumed
 * and no notification, as xenconsoled ignores it; the bytes are read
 * through the index masked to the ring.  The hv holds a writable type
 * reference on the page (as xenconsoled's foreign mapping does), so it
 * can never become a page table or a descriptor page. */
#include "console.h"
#include "domain.h"
#include "domain_page.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "public/io/console.h"
#include "spinlock.h"

#define LINE_FRAMES ((sizeof(struct console_line) + PAGE_SIZE - 1) / PAGE_SIZE)

int console_ring_init(struct domain *d, mfn_t ring)
{
    unsigned long line = frames_alloc(&hv_frames, LINE_FRAMES, 1);
    if (line == ~0UL)
        return -1;
    if (get_page_and_type(ring, d, PGT_writable)) {
        frames_free(&hv_frames, line, LINE_FRAMES);
        return -1;
    }
    void *r = map_domain_page(ring);
    memset(r, 0, PAGE_SIZE);
    unmap_domain_page(r);
    long port = evtchn_alloc_xen_consumer(d);
    if (port < 0) {
        put_page_and_type(ring, d);
        frames_free(&hv_frames, line, LINE_FRAMES);
        return -1;
    }
    d->console_ring_line = mfn_to_virt(line);
    memset(d->console_ring_line, 0, sizeof(*d->console_ring_line));
    d->console_mfn = ring;
    d->console_port = port;
    return 0;
}

void console_ring_notified(struct domain *d)
{
    if (!d->console_mfn)
        return;
    spin_lock(&d->console_lock);
    struct xencons_interface *intf = map_domain_page(d->console_mfn);
    XENCONS_RING_IDX cons = ACCESS_ONCE(intf->out_cons);
    XENCONS_RING_IDX prod = ACCESS_ONCE(intf->out_prod);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);      /* xenconsoled's xen_mb() */
    XENCONS_RING_IDX size = prod - cons;
    if (size == 0 || size > sizeof(intf->out)) {
        unmap_domain_page(intf);
        spin_unlock(&d->console_lock);
        return;
    }
    while (cons != prod) {
        char c = ACCESS_ONCE(intf->out[MASK_XENCONS_IDX(cons, intf->out)]);
        guest_console_putc(d, d->console_ring_line, c);
        cons++;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);      /* the bytes, then out_cons */
    ACCESS_ONCE(intf->out_cons) = cons;
    unmap_domain_page(intf);
    spin_unlock(&d->console_lock);
    notify_via_xen_event_channel(d, d->console_port);
}
