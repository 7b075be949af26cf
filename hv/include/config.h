/* Compile-time limits of the hypervisor. */
#ifndef ASILAB_CONFIG_H
#define ASILAB_CONFIG_H

#define NR_CPUS          8
#define MAX_DOMAINS      8
#define MAX_VCPUS        8          /* per domain */
#define STACK_ORDER      2
#define STACK_SIZE       (4096UL << STACK_ORDER)
#define IST_STACK_SIZE   4096UL
#define MAX_FRAMES       (1UL << 20) /* 4 GiB of RAM at most */
#define MAX_MODULES      8
#define TIMESLICE_NS     10000000UL /* 10 ms, one-shot LAPIC timer */

#endif
