/* Guest-side event channels (see event.h). */
#include "event.h"

struct shared_info *shared_info;

void map_shared_info(void)
{
    void *va = page_alloc();
    if (HYPERVISOR_update_va_mapping((unsigned long)va, start_info->shared_info | PTE_FLAGS_RW,
                                     UVMF_INVLPG))
        guest_panic("cannot map shared_info");
    shared_info = va;
}

unsigned int evtchn_bind_ipi(unsigned int vcpu)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = HC(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, &b, 0, 0, 0);
    if (rc)
        guest_panic("EVTCHNOP_bind_ipi failed: %ld", rc);
    return b.port;
}

void evtchn_send(unsigned int port)
{
    struct evtchn_send s = { .port = port };
    if (HC(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &s, 0, 0, 0))
        guest_panic("EVTCHNOP_send failed");
}

void evtchn_wait(unsigned int vcpu, unsigned int port)
{
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[vcpu];
    unsigned long bit = 1UL << (port % 64);
    for (;;) {
        vi->evtchn_upcall_pending = 0;
        vi->evtchn_pending_sel = 0;
        if (__atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~bit,
                               __ATOMIC_SEQ_CST) & bit)
            return;
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
}
