/* Strategy shared_l4: no address-space isolation (Xen without XPTI).
 * The guest's own L4, with the hv slots stamped in, is the root table in
 * guest and hv mode alike; entry and exit never touch CR3; a context
 * switch is one CR3 load and global pages keep the hv's TLB entries. */
#include "layout.h"
#include "lib.h"
#include "mm.h"
#include "pt.h"
#include "strategy.h"
#include "x86.h"

/* The hv's entries stay global (no CR3 switch on entry or exit). */
const struct strategy_tlb strategy_tlb = { .global_pages = true, .xpti = false };

void strategy_cpu_init(struct pcpu *c)
{
}

int strategy_vcpu_init(struct vcpu *v)
{
    return 0;
}

/* Slots 256-271 as in idle_pg_table, but 258 maps this L4 itself and
 * 260 is the domain's own per-domain L3. */
void strategy_init_guest_l4(struct domain *d, mfn_t l4, uint64_t *tab)
{
    stamp_hv_l4_slots(l4, tab, d->perdomain_l3);
}

/* No copies of guest L4s. */
void strategy_free_guest_l4(struct domain *d, mfn_t l4)
{
}

void strategy_write_ptbase(struct vcpu *v)
{
    write_cr3_counted(make_cr3(v, vcpu_guest_root(v), false));
}

int strategy_exit_to_guest(struct vcpu *v)
{
    return 0;
}

/* The guest L4 is the root table: nothing to propagate. */
unsigned int strategy_guest_l4_changed(struct domain *d, mfn_t l4, unsigned int slot)
{
    return 0;
}

void strategy_live_roots(struct vcpu *v, mfn_t *guest_mode, mfn_t *hv_mode)
{
    *guest_mode = *hv_mode = vcpu_guest_root(v);
}

/* Nothing to do now: no root copies. */
void strategy_flush_root(void)
{
}

/* No root tables of its own: the guest L4s (their hv slots are audited
 * by the core) are the roots. */
void strategy_audit_roots(struct domain *d, audit_report_fn *bad)
{
}

mfn_t strategy_perdomain_l3(struct vcpu *v)
{
    return v->domain->perdomain_l3;
}
