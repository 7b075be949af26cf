/* TLB flushes, local and on other pCPUs by IPI with acknowledgement, and
 * the dirty-CPU tracking that says where a vCPU's tables may be live. */
#ifndef ASILAB_FLUSHTLB_H
#define ASILAB_FLUSHTLB_H
#include "domain.h"
#include "pcid.h"

#define FLUSH_TLB         (1U << 0)   /* non-global entries (CR3 reload) */
#define FLUSH_TLB_GLOBAL  (1U << 1)   /* everything (CR4.PGE toggle) */
#define FLUSH_INVLPG      (1U << 2)   /* one page */
#define FLUSH_ROOT_PGTBL  (1U << 3)   /* a live guest L4 changed */

#define NO_CPU (~0U)
typedef uint64_t cpumask_t;            /* NR_CPUS <= 64 */

void flush_local(unsigned int flags, unsigned long va);

/* How this boot tags and flushes the TLB (hv/include/pcid.h decides). */
extern bool use_invpcid;             /* Xen's use_invpcid */
extern enum pcid_state pv_pcid;      /* the PV domains' PCIDs: on, off, unavailable */
void tlb_features_init(void);        /* boot CPU, before strategy_cpu_init */
void tlb_cpu_init(void);             /* each pCPU, after strategy_cpu_init */
extern uint64_t tlb_cr4_bits;        /* CR4's TLB bits: PCIDE, PGE or none */
/* After strategy_write_ptbase on a context switch or a new base pointer
 * (not a toggle): the flush the CR3 load did not do (PCIDs on). */
void ptbase_flush_tagged(void);
static inline void ptbase_flush(void)
{
    if (__builtin_expect(ptbase_needs_invpcid(tlb_cr4_bits), 0))
        ptbase_flush_tagged();
}
/* Flush on every pCPU in mask (this one included), waiting for all. */
void flush_mask(cpumask_t mask, unsigned int flags, unsigned long va);
/* pCPUs where any vCPU of d may have live translations. */
cpumask_t domain_dirty_cpumask(const struct domain *d);
void flush_ipi_interrupt(void);
/* Called while spinning with interrupts off: serve a pending request. */
void flush_poll(void);
/* Take l with interrupts off, serving flush requests while it spins (a
 * holder may be waiting for this pCPU's flush ack). */
static inline void spin_lock_serving_flushes(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        flush_poll();
}

#endif
