/* Compile-time limits of the hypervisor. */
#ifndef ASILAB_CONFIG_H
#define ASILAB_CONFIG_H

#define NR_CPUS          8
#define MAX_DOMAINS      8
#define MAX_VCPUS        8          /* per domain */
/* Each pCPU's stack block, STACK_SIZE-aligned as in Xen: pages 0-2 are
 * the IST stacks (#DF, NMI, #MC), the rest is the primary stack with
 * struct cpu_info at its top, so get_cpu_info() works on all of them. */
#define STACK_ORDER      3
#define STACK_SIZE       (4096UL << STACK_ORDER)
#define IST_STACK_SIZE   4096UL
#define NR_IST_STACKS    3
#define PRIMARY_STACK_BOTTOM (NR_IST_STACKS * IST_STACK_SIZE)
#define MAX_FRAMES       (1UL << 20) /* 4 GiB of RAM at most */
#define MAX_MODULES      8
#define MAX_DOMAIN_MIB   1024       /* a domain's memory (mem=), MiB */
#define TIMESLICE_NS     10000000UL /* 10 ms, one-shot LAPIC timer */

#endif
