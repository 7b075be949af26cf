/* TLB flushes, and how this boot tags and flushes the TLB (Xen's
 * use_invpcid, a PV domain's pcid, pv_make_cr4's PCIDE/PGE: the choices
 * themselves are hv/include/pcid.h's).  A remote flush writes the
 * request, sends FLUSH_VECTOR to each target pCPU and waits until every
 * target has flushed and cleared its bit.  The hv runs with interrupts
 * off, so whoever spins here (for the lock or for acknowledgements) also
 * serves requests aimed at itself: two pCPUs flushing each other cannot
 * deadlock. */
#include "apic.h"
#include "domain.h"
#include "flushtlb.h"
#include "lab.h"
#include "page.h"
#include "pcid.h"
#include "spinlock.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

bool use_invpcid;
enum pcid_state pv_pcid;
uint64_t tlb_cr4_bits;

/* As Xen's setup (use_invpcid: INVPCID is there and opt_invpcid, on by
 * default) and pv_domain_initialise (pcid), once on the boot CPU before
 * any strategy_cpu_init. */
void tlb_features_init(void)
{
    uint32_t a, b, c, d;
    cpuid_count(1, 0, &a, &b, &c, &d);
    bool has_pcid = c & (1U << 17);
    cpuid_count(0, 0, &a, &b, &c, &d);
    bool has_invpcid = false;
    if (a >= 7) {
        cpuid_count(7, 0, &a, &b, &c, &d);
        has_invpcid = b & (1U << 10);
    }
    use_invpcid = has_invpcid;
    pv_pcid = pcid_choose(asilab_pcid, has_pcid, use_invpcid);
    tlb_cr4_bits = pcid_cr4_tlb_bits(pv_pcid == PCID_STATE_ON, strategy_tlb.global_pages);
}

/* On each pCPU after strategy_cpu_init, on the idle tables (PCID 0, as
 * PCIDE requires): PGE off first, so no global entry survives into a
 * tagged TLB (Xen's switch_cr3_cr4 does the same), then PCIDE or PGE. */
void tlb_cpu_init(void)
{
    struct cpu_info *ci = get_cpu_info();
    ci->cr3_load_count = &lab_counters[ci->processor_id].ev[
        pv_pcid == PCID_STATE_ON ? EV_cr3_load_noflush : EV_cr3_load];
    uint64_t cr4 = read_cr4() & ~(X86_CR4_PGE | X86_CR4_PCIDE);
    write_cr4(cr4);
    if (tlb_cr4_bits)
        write_cr4(cr4 | tlb_cr4_bits);
}

/* Xen's write_ptbase after the strategy loaded v's CR3 (switch_cr3_cr4),
 * PCIDE on (ptbase_flush): the load kept the TLB, so every non-global
 * entry of every PCID goes now. */
void ptbase_flush_tagged(void)
{
    invpcid(INVPCID_ALL_NON_GLOBAL, 0, 0);
    this_cpu_count(invpcid, 1);
    this_cpu_count(tlb_flush, 1);
}

static spinlock_t flush_lock = SPIN_LOCK_UNLOCKED;
static volatile cpumask_t flush_cpumask;
static volatile unsigned int flush_flags;
static volatile unsigned long flush_va;

/* Xen's flush_area_local.  A full flush is Xen's do_tlb_flush
 * (tlb_flush_how): INVPCID where Xen uses it, else a PGE toggle where
 * global pages are on (the hv's global entries go too), else a CR3
 * reload (a flush, not a switch: no cr3_load).  FLUSH_TLB and
 * FLUSH_TLB_GLOBAL do the same, as in Xen, and are counted apart.  The
 * choice reads CR4's TLB bits as set at boot (Xen: the cached CR4), not
 * CR4 itself. */
void flush_local(unsigned int flags, unsigned long va)
{
    if (flags & FLUSH_ROOT_PGTBL) {
        get_cpu_info()->root_pgt_changed = 1;
        strategy_flush_root();
    }
    if (flags & (FLUSH_TLB | FLUSH_TLB_GLOBAL)) {
        switch (tlb_flush_how(use_invpcid, tlb_cr4_bits)) {
        case TLB_FLUSH_INVPCID_ALL:
            invpcid(INVPCID_ALL_INCL_GLOBAL, 0, 0);
            this_cpu_count(invpcid, 1);
            break;
        case TLB_FLUSH_PGE_TOGGLE: {
            uint64_t cr4 = read_cr4();
            write_cr4(cr4 & ~X86_CR4_PGE);
            write_cr4(cr4);
            break;
        }
        case TLB_FLUSH_CR3_RELOAD:
            raw_write_cr3(read_cr3());
            break;
        }
        if (flags & FLUSH_TLB_GLOBAL)
            this_cpu_count(tlb_flush_global, 1);
        else
            this_cpu_count(tlb_flush, 1);
    } else if (flags & FLUSH_INVLPG) {
        unsigned int pcids[4];
        unsigned int n = flush_one_pcids(tlb_cr4_bits, strategy_tlb.xpti, pcids);
        for (unsigned int i = 0; i < n; i++)
            invpcid(INVPCID_ADDR, pcids[i], va);
        if (n)
            this_cpu_count(invpcid, n);
        else
            invlpg(va);
        this_cpu_count(invlpg, 1);
    }
}

void flush_poll(void)
{
    cpumask_t me = 1UL << smp_processor_id();
    if (flush_cpumask & me) {
        flush_local(flush_flags, flush_va);
        __atomic_and_fetch(&flush_cpumask, ~me, __ATOMIC_SEQ_CST);
    }
}

void flush_ipi_interrupt(void)
{
    flush_poll();
}

void flush_mask(cpumask_t mask, unsigned int flags, unsigned long va)
{
    cpumask_t me = 1UL << smp_processor_id();

    if (mask & me)
        flush_local(flags, va);
    mask &= ~me;
    if (!mask)
        return;
    spin_lock_serving_flushes(&flush_lock);
    flush_flags = flags;
    flush_va = va;
    __atomic_store_n(&flush_cpumask, mask, __ATOMIC_SEQ_CST);
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (mask & (1UL << cpu))
            send_ipi(cpu, FLUSH_VECTOR);
    while (flush_cpumask)
        cpu_relax();
    spin_unlock(&flush_lock);
}

cpumask_t domain_dirty_cpumask(const struct domain *d)
{
    cpumask_t m = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);   /* after the table writes */
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        unsigned int cpu = ACCESS_ONCE(d->vcpu[i]->dirty_cpu);
        if (cpu != NO_CPU)
            m |= 1UL << cpu;
    }
    return m;
}

void page_flush_stale_tlbs(struct domain *d)
{
    flush_mask(domain_dirty_cpumask(d), FLUSH_TLB, 0);
}
