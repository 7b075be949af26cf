/* Domain life cycle: shutdown and crash (the hv keeps running the other
 * domains, and tells dom0 with VIRQ_DOM_EXC), the end of a run once every
 * driver domain has stopped, loading a vCPU's initial context from
 * VCPUOP_initialise, and moving its vcpu_info out of shared_info
 * (VCPUOP_register_vcpu_info). */
#include "console.h"
#include "domain.h"
#include "domain_page.h"
#include "emulate.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "public/event_channel.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "vcpu_timer.h"
#include "x86.h"

struct domain *domains[MAX_DOMAINS];
unsigned int nr_domains;

/* The domain with this id (not DOMID_SELF), or NULL. */
struct domain *domain_by_id(unsigned int id)
{
    for (unsigned int i = 0; i < nr_domains; i++)
        if (domains[i]->domain_id == id)
            return domains[i];
    return NULL;
}

static void check_run_end(void)
{
    for (unsigned int i = 0; i < nr_domains; i++)
        if (domains[i]->is_driver && domains[i]->state == DOM_running)
            return;
    lab_emit_end_and_exit();
}

/* Xen's __domain_finalise_shutdown: VIRQ_DOM_EXC to the global VIRQ
 * handler, the hardware domain (dom0), if it is still running and bound
 * it; a dom0 like xl learns so that a domain has stopped. */
static void domain_stop(struct domain *d)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        vcpu_offline(d->vcpu[i]);
    struct domain *hwdom = domain_by_id(0);
    if (hwdom && hwdom != d && hwdom->state == DOM_running)
        send_guest_vcpu_virq(hwdom->vcpu[0], VIRQ_DOM_EXC);
    check_run_end();
}

/* running -> shutdown/crashed exactly once, whichever pCPU gets there. */
static bool domain_leave_running(struct domain *d, enum domain_state to)
{
    int expected = DOM_running;
    return __atomic_compare_exchange_n((int *)&d->state, &expected, (int)to, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    d->shutdown_reason = reason;
    if (!domain_leave_running(d, DOM_shutdown))
        return;
    printk("hv: d%u (%s) shut down, reason %u\n", d->domain_id, d->name, reason);
    domain_stop(d);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    va_list ap;

    if (!domain_leave_running(d, DOM_crashed))
        return;
    va_start(ap, fmt);
    vsnprintf(d->crash_reason, sizeof(d->crash_reason), fmt, ap);
    va_end(ap);
    printk("hv: d%u (%s) crashed: %s\n", d->domain_id, d->name, d->crash_reason);
    domain_stop(d);
}

/* Xen's __fixup_guest_selector for a 64-bit PV guest: a code or stack
 * selector's RPL raised to the guest kernel's, 3.  Nothing else is
 * checked here: a CS or SS that will not load faults the first return to
 * the guest (restore_iret_insn: the domain crashes, as on Xen), a data
 * selector that will not load bounces to the failsafe callback
 * (load_segments). */
static uint16_t fixup_guest_selector(uint16_t sel)
{
    return (sel & 3) == 3 ? sel : (uint16_t)((sel & ~3) | 3);
}

int vcpu_initialise_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct domain *d = v->domain;
    mfn_t l4 = xen_cr3_to_pfn(c->ctrlreg[3]);

    if (!(c->flags & VGCF_in_kernel))
        return -XEN_EINVAL;
    unsigned long cbs[] = { c->event_callback_eip, c->failsafe_callback_eip,
                            c->syscall_callback_eip };
    for (unsigned int i = 0; i < ARRAY_SIZE(cbs); i++)
        if (cbs[i] && !guest_range_ok(cbs[i], 1))
            return -XEN_EINVAL;
    if (!is_canonical(c->user_regs.rip) || !is_canonical(c->user_regs.rsp) ||
        !is_canonical(c->kernel_sp) || !is_canonical(c->fs_base) ||
        !is_canonical(c->gs_base_kernel) || !is_canonical(c->gs_base_user))
        return -XEN_EINVAL;
    for (unsigned int i = 0; i < 256; i++) {
        const struct trap_info *t = &c->trap_ctxt[i];
        if (t->address && !guest_range_ok(t->address, 1))
            return -XEN_EINVAL;
    }
    int rc = get_page_and_type(l4, d, PGT_l4);
    if (rc)
        return rc;

    /* Xen's arch_set_info_guest: the registers as given, CS and SS with
     * their RPL fixed up (so are kernel_ss and the trap table's CSs). */
    struct cpu_user_regs r = c->user_regs;
    r.cs = fixup_guest_selector(r.cs);
    r.ss = fixup_guest_selector(r.ss);
    r.entry_vector = 0;
    r.rflags |= X86_EFLAGS_IF;
    v->user_regs = r;
    memcpy(v->trap_ctxt, c->trap_ctxt, sizeof(v->trap_ctxt));
    for (unsigned int i = 0; i < 256; i++) {    /* index is the vector */
        v->trap_ctxt[i].cs = fixup_guest_selector(v->trap_ctxt[i].cs);
        if (v->trap_ctxt[i].address)
            v->trap_ctxt[i].vector = i;
    }
    v->kernel_ss = fixup_guest_selector(c->kernel_ss);
    v->kernel_sp = c->kernel_sp;
    v->event_callback = c->event_callback_eip;
    v->failsafe_callback = c->failsafe_callback_eip;
    v->syscall_callback = c->syscall_callback_eip;
    v->syscall_disables_events = c->flags & VGCF_syscall_disables_events;
    v->failsafe_disables_events = c->flags & VGCF_failsafe_disables_events;
    pv_emul_vcpu_init(v);
    v->ctrlreg[4] = pv_fixup_guest_cr4(v, c->ctrlreg[4]);
    v->fs_base = c->fs_base;
    v->gs_base_kernel = c->gs_base_kernel;
    v->gs_base_user = c->gs_base_user;
    v->guest_table = l4;
    v->guest_table_user = 0;
    v->flags = TF_kernel_mode;
    v->initialised = true;
    return 0;
}

/* VCPUOP_register_vcpu_info (under the domain's mm_lock: vcpu_op is an
 * MM hypercall, hv/pv/hypercall.c), as Xen's map_vcpu_info for a PV
 * guest (the "gfn" is a machine frame): once per vCPU, on itself or on a vCPU that
 * is down; the frame must be the domain's own and take a writable type
 * (not a page table, descriptor page, another domain's or the hv's:
 * -EINVAL), the area must fit in it, aligned (-ENXIO).  The reference
 * is held for the domain's life: asilab never destroys a domain while
 * the run lasts (Xen drops it in domain_kill).  The old contents move
 * with it; every selector bit is then set and the upcall raised, so
 * that nothing pending in between is lost (the guest sees a spurious
 * scan, as on Xen). */
int map_vcpu_info(struct vcpu *v, uint64_t mfn, unsigned int offset)
{
    struct domain *d = v->domain;

    if (offset > PAGE_SIZE - sizeof(struct vcpu_info) ||
        (offset & (__alignof__(struct vcpu_info) - 1)))
        return -XEN_ENXIO;
    if (v->vcpu_info_mfn)
        return -XEN_EINVAL;
    if (v != current && v->runstate != RUNSTATE_offline)
        return -XEN_EINVAL;
    /* (v->vcpu_info_mfn holds 32 bits: frames below 16 TiB.) */
    if (mfn > max_mfn || mfn != (uint32_t)mfn || get_page_and_type(mfn, d, PGT_writable))
        return -XEN_EINVAL;
    uint8_t *page = map_domain_page_global(mfn);
    if (!page) {                        /* the global-map area is full */
        put_page_and_type(mfn, d);
        return -XEN_ENOMEM;
    }
    struct vcpu_info *new_info = (void *)(page + offset);
    /* Senders write through v->vcpu_info under the evtchn_lock. */
    spin_lock(&d->evtchn_lock);
    memmove(new_info, v->vcpu_info, sizeof(*new_info));
    v->vcpu_info = new_info;
    v->vcpu_info_mfn = mfn;
    __atomic_store_n(&new_info->evtchn_pending_sel, ~0UL, __ATOMIC_SEQ_CST);
    if (!__atomic_exchange_n(&new_info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        vcpu_wake(v);
    spin_unlock(&d->evtchn_lock);
    vcpu_time_init(v);             /* Xen's force_update_vcpu_system_time */
    return 0;
}
