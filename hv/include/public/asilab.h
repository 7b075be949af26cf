/* The lab hypercall (__HYPERVISOR_arch_7): event counters and run info.
 * Not part of Xen; a guest written against Xen simply never calls it. */
#ifndef ASILAB_PUBLIC_ASILAB_H
#define ASILAB_PUBLIC_ASILAB_H
#include <stdint.h>

#define __HYPERVISOR_asilab_op 55

#define ASILAB_OP_get_counters 0   /* arg: struct asilab_counters *      */
#define ASILAB_OP_get_info     1   /* arg: struct asilab_info *          */
#define ASILAB_OP_audit        2   /* arg: 1 = audit the caller's domain
                                      after each of its hypercalls from now
                                      on, 0 = stop; returns the violations
                                      found by an audit run right now     */
#define ASILAB_OP_audit_result 3   /* arg: struct asilab_audit *         */
#define ASILAB_OP_probe_arm    4   /* arg: a 64-bit pattern: at the next
                                      switch on this pCPU, after any stack
                                      zeroing, count it in the dead part of
                                      this pCPU's hv stack                */
#define ASILAB_OP_probe_result 5   /* returns that count, -EAGAIN before  */
#define ASILAB_OP_exposure     6   /* the hv emits exposure records for the
                                      tables live for the caller in guest
                                      mode and in hv mode                 */
#define ASILAB_OP_get_counters_remote 7 /* arg: struct asilab_counters *:
                                      the sums over every other online
                                      pCPU (the work an op caused there)  */

struct asilab_audit {
    uint64_t audits;         /* hypercalls audited so far                */
    uint64_t failed;         /* audits that found a violation            */
    uint64_t violations;     /* violations found in all                  */
};

/* Event counters of one pCPU, in DESIGN.md's order and names. */
#define ASILAB_EVENTS(X) \
    X(cr3_load) X(cr3_load_noflush) X(tlb_flush) X(tlb_flush_global) \
    X(invlpg) X(invpcid) X(ipi_sent) X(l4_copy) X(pte_write) \
    X(stack_zero_bytes) X(gdt_load) X(ldt_load) X(ctx_switch) X(ldt_map) \
    X(fpu_scrub) X(priv_op_emul) X(softint_emul) X(upcall) \
    X(ipi_flush) X(ipi_event) X(perdomain_walk) X(mapcache_map) \
    X(mapcache_flush)
/* ipi_sent counts every IPI; ipi_flush (FLUSH_VECTOR: TLB shootdowns) and
 * ipi_event (EVENT_CHECK_VECTOR: a wake-up or kick) are its two parts.
 * A CR3 write that only flushes counts as tlb_flush(_global), not as
 * cr3_load: cr3_load is an address-space switch.  perdomain_walk: a walk
 * of a vCPU's slot-260 tables to reach an L1 entry (populate/destroy of
 * a vCPU not live here, or a look-up): what the ASI series' patch 04
 * adds to each context switch and +stashed_l1 does not do.
 * mapcache_map: a transient map_domain_page through +sparse's per-vCPU
 * mapcache (hit or not); mapcache_flush: the local TLB flush when its
 * entries wrap (also a tlb_flush). */

enum asilab_event {
#define X(n) EV_##n,
    ASILAB_EVENTS(X)
#undef X
    NR_ASILAB_EVENTS
};

struct asilab_counters {
    uint64_t ev[NR_ASILAB_EVENTS];
};

#define ASILAB_MODE_DETERMINISTIC 0
#define ASILAB_MODE_TIMING        1

struct asilab_info {
    char variant[48];        /* e.g. "shared_l4"                        */
    uint32_t mode;           /* ASILAB_MODE_*                           */
    uint32_t pcpu;           /* the pCPU this vCPU runs on right now    */
    uint32_t nr_pcpus;
    uint32_t domid;
    uint32_t vcpu_id;
    uint32_t tsc_invariant;  /* CPUID 0x80000007 EDX bit 8              */
    uint64_t tsc_khz;        /* 0 when unknown                          */
    uint32_t instance;       /* which of its module's domains= copies
                                this domain is (0 = the first)          */
    uint32_t counters;       /* 1: a counting image; 0: a lean one, whose
                                get_counters answers -EOPNOTSUPP        */
};
#endif
