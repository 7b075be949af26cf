/* TLB flushes.  A remote flush writes the request, sends FLUSH_VECTOR to
 * each target pCPU and waits until every target has flushed and cleared
 * its bit.  The hv runs with interrupts off, so whoever spins here (for
 * the lock or for acknowledgements) also serves requests aimed at itself:
 * two pCPUs flushing each other cannot deadlock. */
#include "apic.h"
#include "domain.h"
#include "flushtlb.h"
#include "lab.h"
#include "page.h"
#include "spinlock.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

static spinlock_t flush_lock = SPIN_LOCK_UNLOCKED;
static volatile cpumask_t flush_cpumask;
static volatile unsigned int flush_flags;
static volatile unsigned long flush_va;

void flush_local(unsigned int flags, unsigned long va)
{
    if (flags & FLUSH_ROOT_PGTBL) {
        get_cpu_info()->root_pgt_changed = 1;
        strategy_flush_root();
    }
    if (flags & FLUSH_TLB_GLOBAL) {
        uint64_t cr4 = read_cr4();
        if (cr4 & X86_CR4_PGE) {
            write_cr4(cr4 & ~X86_CR4_PGE);
            write_cr4(cr4);
        } else {
            raw_write_cr3(read_cr3());  /* a flush, not a switch: no cr3_load */
        }
        this_cpu_count(tlb_flush_global, 1);
    } else if (flags & FLUSH_TLB) {
        raw_write_cr3(read_cr3());      /* counted once, as tlb_flush */
        this_cpu_count(tlb_flush, 1);
    } else if (flags & FLUSH_INVLPG) {
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
