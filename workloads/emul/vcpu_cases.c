/* emul, last: EVTCHNOP_reset (every port closed, the FIFO ABI given up
 * for 2-level, its frames released) and VCPUOP_register_vcpu_info (the
 * vCPU's vcpu_info moved out of shared_info, once; then an event and a
 * timer upcall arrive through the new area), with Xen 4.17's answers. */
#include "emul.h"

static long reset(uint16_t dom)
{
    struct evtchn_reset r = { .dom = dom };
    return evtchn_op(EVTCHNOP_reset, &r);
}

static bool port_closed(unsigned int port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    return evtchn_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_closed;
}

/* A self-connected pair: returns the local port, *remote the other. */
static unsigned int bind_pair(unsigned int *remote)
{
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    expect(evtchn_op(EVTCHNOP_alloc_unbound, &au) == 0, "alloc_unbound");
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF, .remote_port = au.port };
    expect(evtchn_op(EVTCHNOP_bind_interdomain, &bi) == 0, "bind_interdomain");
    *remote = au.port;
    return bi.local_port;
}

/* Called with the FIFO ABI in use (check_fifo): ports 1-4 are bound. */
void check_evtchn_reset(void)
{
    expect(reset(0x1234) == -XEN_ESRCH, "reset of a missing domain: not -ESRCH");
    expect(reset(DOMID_SELF) == 0, "EVTCHNOP_reset");
    for (unsigned int p = 1; p <= 4; p++)
        expect(port_closed(p), "a port survived EVTCHNOP_reset");
    struct evtchn_set_priority pr = { .port = 1, .priority = 3 };
    expect(evtchn_op(EVTCHNOP_set_priority, &pr) == -XEN_ENOSYS,
           "set_priority after reset: still FIFO");
    struct evtchn_expand_array ea = { .array_gfn = virt_to_mfn(page_alloc()) };
    expect(evtchn_op(EVTCHNOP_expand_array, &ea) == -XEN_EOPNOTSUPP,
           "expand_array after reset: still FIFO");
    expect(HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0) == 0,
           "reset: the FIFO frames' references not released");

    /* 2-level again: a send sets the shared_info bit and the selector. */
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
    unsigned int rp, lp = bind_pair(&rp);
    shared_info->evtchn_pending[lp / 64] &= ~(1UL << (lp % 64));
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    struct evtchn_send sd = { .port = lp };
    expect(evtchn_op(EVTCHNOP_send, &sd) == 0 &&
           (shared_info->evtchn_pending[rp / 64] & (1UL << (rp % 64))) &&
           (vi->evtchn_pending_sel & (1UL << (rp / 64))) && vi->evtchn_upcall_pending,
           "2-level send after reset");
    shared_info->evtchn_pending[rp / 64] &= ~(1UL << (rp % 64));
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;

    /* FIFO can be taken up again, and given up again. */
    struct evtchn_init_control ic = { .control_gfn = virt_to_mfn(page_alloc()) };
    expect(evtchn_op(EVTCHNOP_init_control, &ic) == 0, "init_control after reset");
    expect(evtchn_op(EVTCHNOP_expand_array, &ea) == 0, "expand_array after reset");
    expect(reset(DOMID_SELF) == 0 && port_closed(lp) && port_closed(rp), "second reset");
    expect(reset(DOMID_SELF) == 0, "reset with nothing bound");
    expect(HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0) == 0,
           "second reset: references not released");
    shared_info->evtchn_pending[0] = 0;
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
}

static long register_vcpu_info(unsigned int vcpu, unsigned long mfn, unsigned int offset)
{
    struct vcpu_register_vcpu_info info = { .mfn = mfn, .offset = offset };
    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &info);
}

/* A frame that is not ours: past our highest (the next domain's or free). */
static unsigned long foreign_frame(void)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    unsigned long max = 0;
    for (unsigned long i = 0; i < start_info->nr_pages; i++)
        max = MAX(max, p2m[i]);
    return max + 64;
}

void check_vcpu_info(void)
{
    uint8_t *page = page_alloc();
    unsigned long mfn = virt_to_mfn(page);
    unsigned long l4 = virt_to_mfn((void *)start_info->pt_base);
    volatile struct vcpu_info *old = &shared_info->vcpu_info[0];
    volatile struct vcpu_info *vi = (volatile struct vcpu_info *)(page + 64);

    expect(register_vcpu_info(0, mfn, 4096 - 56) == -XEN_ENXIO, "offset past the page");
    expect(register_vcpu_info(0, mfn, 4) == -XEN_ENXIO, "misaligned offset");
    expect(register_vcpu_info(7, mfn, 0) == -XEN_ENOENT, "vcpu 7");
    expect(register_vcpu_info(0, foreign_frame(), 0) == -XEN_EINVAL, "a foreign frame");
    expect(register_vcpu_info(0, 1, 0) == -XEN_EINVAL, "a frame of the hv's");
    expect(register_vcpu_info(0, 1UL << 40, 0) == -XEN_EINVAL, "a frame past RAM");
    expect(register_vcpu_info(0, l4, 0) == -XEN_EINVAL, "a page-table frame");

    old->arch.pad = 0x5a5a;
    expect(register_vcpu_info(0, mfn, 64) == 0, "VCPUOP_register_vcpu_info");
    expect(vi->arch.pad == 0x5a5a && vi->evtchn_upcall_mask == 1,
           "the old vcpu_info was not copied");
    expect(vi->evtchn_pending_sel == ~0UL && vi->evtchn_upcall_pending,
           "not every selector bit pending after the move");
    expect(!(vi->time.version & 1) && vi->time.version && vi->time.tsc_to_system_mul,
           "no valid vcpu_time_info in the new area");
    expect(register_vcpu_info(0, mfn, 128) == -XEN_EINVAL, "registered twice");
    expect(HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0) == 0,
           "the MMU audit disagrees with the vcpu_info frame's reference");
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    old->evtchn_pending_sel = 0;
    old->evtchn_upcall_pending = 0;

    /* An event: the selector and upcall flag in the new area only. */
    unsigned int rp, lp = bind_pair(&rp);
    expect((vi->evtchn_pending_sel & (1UL << (lp / 64))) && vi->evtchn_upcall_pending &&
           !old->evtchn_upcall_pending, "bind's pending port not flagged in the new area");
    unsigned int before = upcall_count;
    vi->evtchn_upcall_mask = 0;
    HYPERVISOR_xen_version(XENVER_version, NULL);
    expect(upcall_count == before + 1 && vi->evtchn_upcall_mask == 1,
           "no upcall through the new vcpu_info");
    shared_info->evtchn_pending[lp / 64] &= ~(1UL << (lp % 64));
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;

    /* A timer upcall: SCHEDOP_block unmasks the new area, VIRQ_TIMER
     * wakes the vCPU, the callback runs. */
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    expect(evtchn_op(EVTCHNOP_bind_virq, &bv) == 0, "bind_virq VIRQ_TIMER");
    before = upcall_count;
    expect(HC(__HYPERVISOR_set_timer_op, system_time_ns() + 100000, 0, 0, 0, 0) == 0,
           "set_timer_op");
    unsigned long bit = 1UL << (bv.port % 64);
    unsigned int i;
    for (i = 0; i < 1000; i++) {
        if (__atomic_fetch_and(&shared_info->evtchn_pending[bv.port / 64], ~bit,
                               __ATOMIC_SEQ_CST) & bit)
            break;
        vi->evtchn_upcall_pending = 0;
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
    expect(i < 1000 && upcall_count > before && vi->evtchn_upcall_mask == 1 &&
           !old->evtchn_upcall_pending, "no timer upcall through the new vcpu_info");
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
}
