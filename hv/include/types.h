/* Basic freestanding types and helpers shared by the hv core and by
 * host-side unit tests of hv code. */
#ifndef ASILAB_TYPES_H
#define ASILAB_TYPES_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint64_t paddr_t;
typedef uint64_t mfn_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))
#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x) __builtin_expect(!!(x), 1)
#define container_of(p, t, m) ((t *)((char *)(p) - offsetof(t, m)))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define ACCESS_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define barrier() __asm__ volatile("" ::: "memory")

#endif
