/* console: the domU PV console ring, with the hv as its backend
 * (hv/pv/console_ring.c), from both sides of a dom0 + domU boot
 * (tests/boot/console_ring.sh checks the COM1 output line by line).
 *  - dom0 (domain 0): start_info has no console.domU (console.dom0 is
 *    0, no VGA) and no xenstore; console_io works; it then waits for
 *    VIRQ_DOM_EXC (a domain stopped, as xl waits) and shuts down (it is
 *    also the minimal dom0 tests/xtf/run-xtf boots XTF's domU tests
 *    behind);
 *  - a domU: start_info's console.domU names the page libxenguest puts
 *    after start_info and its xenstore page, and an unbound port whose
 *    remote end is the hv (DOMID_XEN); store_mfn/store_evtchn are 0.  It
 *    writes lines through the out ring as XTF's pv_console_write does
 *    (several lines, one of 3000 characters, longer than the ring, a
 *    write across the 2^32 index wrap); each send is consumed at once
 *    (out_cons == out_prod after it) and notifies the port back; hostile
 *    indices (out_prod - out_cons beyond the ring, or "negative") are
 *    ignored: nothing consumed, no notification; the page cannot become
 *    a page table (the hv holds it writable).  A result record comes
 *    out through the ring and, unless release=1 (the hv booted with
 *    domu_console_io=0: console_io is -EPERM for a domU, as a release
 *    Xen), one through console_io (bench_op's record).
 * Any failed check crashes the domain. */
#include "guest.h"
#include "event.h"
#include "public/io/console.h"

const char workload_name[] = "console";
const char *const workload_args[] = { "release", NULL };

static struct xencons_interface *ring;
static unsigned int port;

static void check(bool ok, const char *what)
{
    if (!ok)
        guest_panic("%s", what);
}

static bool port_pending_clear(void)
{
    unsigned long bit = 1UL << (port % 64);
    return __atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~bit,
                              __ATOMIC_SEQ_CST) & bit;
}

/* XTF's pv_console_write: fill what the ring has room for, kick the
 * backend, repeat; here the hv consumes during the send. */
static void ring_write(const char *s, size_t n)
{
    while (n) {
        XENCONS_RING_IDX cons = ACCESS_ONCE(ring->out_cons), prod = ring->out_prod;
        while (n && prod - cons < sizeof(ring->out)) {
            ring->out[MASK_XENCONS_IDX(prod, ring->out)] = *s++;
            prod++;
            n--;
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        ACCESS_ONCE(ring->out_prod) = prod;
        evtchn_send(port);
        check(ACCESS_ONCE(ring->out_cons) == prod, "the hv consumed the ring at the send");
        check(port_pending_clear(), "the hv notified the console port back");
    }
}

static void ring_puts(const char *s)
{
    ring_write(s, strlen(s));
}

static void check_dom0(void)
{
    const struct start_info *si = start_info;
    check(si->flags & SIF_INITDOMAIN, "domain 0 is the initial domain");
    check(!si->console.dom0.info_off && !si->console.dom0.info_size,
          "dom0: no console info (no VGA)");
    check(!si->store_mfn && !si->store_evtchn, "dom0: no xenstore ring");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 0, NULL) == 0, "dom0 may use console_io");
    printf("console: dom0 ok\n");
    /* As xl: wait for the domU to stop (VIRQ_DOM_EXC), then stop too. */
    struct evtchn_bind_virq bv = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    check(!HC(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &bv, 0, 0, 0),
          "bind VIRQ_DOM_EXC");
    map_shared_info();
    evtchn_wait(0, bv.port);
    printf("console: dom0 saw a domain stop\n");
}

static void check_domu_start_info(bool release)
{
    const struct start_info *si = start_info;
    const unsigned long *p2m = (const unsigned long *)si->mfn_list;
    unsigned long si_pfn = ((unsigned long)si - GUEST_VIRT_BASE) >> PAGE_SHIFT;
    check(!(si->flags & (SIF_INITDOMAIN | SIF_PRIVILEGED)), "a domU is not privileged");
    check(!si->store_mfn && !si->store_evtchn, "no xenstore offered (no xenstored)");
    check(si->console.domU.mfn == p2m[si_pfn + 2],
          "the console page follows start_info and the xenstore page");
    check(si->pt_base == (unsigned long)si + 3 * PAGE_SIZE,
          "the page tables follow the console page");
    check(si->console.domU.evtchn == 1, "the console port is the first port");
    ring = (void *)(GUEST_VIRT_BASE + machine_to_phys_mapping[si->console.domU.mfn] * PAGE_SIZE);
    port = si->console.domU.evtchn;
    check(!ring->out_cons && !ring->out_prod && !ring->in_cons && !ring->in_prod,
          "the ring starts empty");
    const uint8_t *store = (const uint8_t *)si + PAGE_SIZE;
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        check(!store[i], "the xenstore page is zeroed");

    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    check(!HC(__HYPERVISOR_event_channel_op, EVTCHNOP_status, &st, 0, 0, 0) &&
          st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == DOMID_XEN,
          "the console port: unbound, its remote end the hv (DOMID_XEN)");
    struct evtchn_bind_interdomain b = { .remote_dom = DOMID_XEN, .remote_port = port };
    check(HC(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, &b, 0, 0, 0) ==
          -XEN_ESRCH, "no domain can bind to the hv's end");
    long rc = HYPERVISOR_console_io(CONSOLEIO_write, 0, NULL);
    check(rc == (release ? -XEN_EPERM : 0),
          release ? "console_io from a domU: -EPERM (release Xen)"
                  : "console_io from a domU: allowed (Xen debug build)");
}

static void check_hostile(void)
{
    XENCONS_RING_IDX cons = ring->out_cons;
    /* More than the ring holds, then "negative": ignored, as xenconsoled. */
    XENCONS_RING_IDX bad[] = { cons + sizeof(ring->out) + 1, cons + 5000, cons - 1,
                               cons + 0x80000000U };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        ACCESS_ONCE(ring->out_prod) = bad[i];
        evtchn_send(port);
        check(ACCESS_ONCE(ring->out_cons) == cons, "hostile out_prod: nothing consumed");
        check(!port_pending_clear(), "hostile out_prod: no notification");
    }
    ACCESS_ONCE(ring->out_prod) = cons;
    evtchn_send(port);                       /* empty: nothing, no notification */
    check(ACCESS_ONCE(ring->out_cons) == cons && !port_pending_clear(),
          "an empty ring: nothing consumed, no notification");
    /* Indices just below 2^32: the write wraps, the bytes stay in order. */
    ACCESS_ONCE(ring->out_cons) = 0xfffffff0U;
    ACCESS_ONCE(ring->out_prod) = 0xfffffff0U;
    ring_puts("ring: across the index wrap, in order\n");
    check(ring->out_cons == 0xfffffff0U + 38, "out_cons wrapped past 2^32");
}

/* The hv holds the page with a writable type reference (as xenconsoled's
 * mapping): even zeroed and unmapped by the guest, it cannot become a
 * page table (a zeroed, unmapped page of the guest's own would pin). */
static void check_ring_held(void)
{
    memset(ring, 0, PAGE_SIZE);
    unsigned long va = (unsigned long)ring, mfn = start_info->console.domU.mfn;
    check(!HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG), "unmap the console page");
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = mfn };
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == -XEN_EINVAL,
          "the console page cannot be pinned as a page table (-EINVAL)");
    check(!HYPERVISOR_update_va_mapping(va, (mfn << PAGE_SHIFT) | PTE_FLAGS_RW, UVMF_INVLPG),
          "map the console page again");
    ring_puts("ring: still served after the guest unmapped and remapped it\n");
}

BENCH_FN(notify_empty, evtchn_send(port))

void workload_main(void)
{
    char val[8];
    if (lab_info.domid == 0) {
        check_dom0();
        return;
    }
    bool release = arg_get("release", val, sizeof(val)) && !strcmp(val, "1");
    map_shared_info();
    check_domu_start_info(release);
    ring_puts("ring: first line\n");
    ring_puts("ring: second ");
    ring_puts("line, in two writes\n");
    ring_puts("ring: a CR\r and a tab\t are what console_io makes of them\n");
    static char longline[3002];
    for (unsigned int i = 0; i < 3000; i++)
        longline[i] = 'a' + i % 26;
    longline[3000] = '\n';
    ring_write(longline, 3001);
    check_hostile();
    check_ring_held();
    ring_puts("@asilab {\"type\":\"result\",\"workload\":\"console\",\"op\":\"via_ring\"}\n");
    if (!release)
        bench_op("notify_empty", notify_empty, NULL, 1);
    ring_puts("ring: done\n");
}
