/* The guest runtime every workload links: start_info, console, records,
 * the batched measurement harness and its timed loop, user mode, vCPU
 * bring-up. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H
#include "types.h"
#include "lib.h"
#include "hypercall.h"

extern struct start_info *start_info;
/* The hv's run info; lab_info.instance says which of its module's
 * domains= copies this domain is. */
extern struct asilab_info lab_info;
/* No lab hypercall: a real Xen ran us as dom0 (lab_info from Xen and the
 * runner; no counters, the guest writes the end record). */
extern bool lab_on_xen;
void lab_xen_info(void);
/* A perfc=y Xen's counters (xen_perfc.c): xen_perfc_on once
 * xen_perfc_init found them, else xen_perfc_why says why not. */
extern bool xen_perfc_on;
extern char xen_perfc_why[96];
void xen_perfc_init(void);
void xen_perfc_snapshot(uint32_t *v);       /* room for 4096 values */
unsigned int xen_perfc_nr_vals(void);
bool xen_perfc_has(int event);              /* a Xen counter is this event */
void xen_perfc_counters(const uint32_t *v, struct asilab_counters *here,
                        struct asilab_counters *remote);
int xen_perfc_format(char *rec, size_t n, const uint32_t *a, const uint32_t *b,
                     const uint32_t *c, uint64_t div);
unsigned int lab_this_pcpu(unsigned int vcpu);   /* the caller is vCPU vcpu */
void console_write(const char *buf, int n);
/* %rsp as the builder started us (the end of its boot stack). */
extern unsigned long boot_entry_rsp;
/* VIRT_BASE (the linker script's __xen_virt_base): pfn 0's address. */
extern char __xen_virt_base[];
#define GUEST_VIRT_BASE ((unsigned long)__xen_virt_base)
/* The hv's read-only M2P: machine frame -> pfn (as Xen's guest headers). */
#define machine_to_phys_mapping ((const unsigned long *)MACH2PHYS_VIRT_START)
extern const char workload_name[];       /* defined by each workload */
extern const char *const workload_args[]; /* its own argument keys, NULL-ended */
void workload_main(void);                /* defined by each workload */

void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_exit(unsigned int reason) __noreturn;
void guest_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2))) __noreturn;
bool arg_get(const char *key, char *val, size_t n);
unsigned long virt_to_mfn(const void *va);

/* Guest user mode: run fn(arg) in user mode until it returns. */
void guest_user_init(void);
void run_in_user(void (*fn)(void *), void *arg, void *user_stack_top);

/* Secondary vCPUs: start vcpu `id` at fn with its own stack. */
int vcpu_start(unsigned int id, void (*fn)(void), void *stack_top);

/* Exceptions: trap table with resume points (hostile workload). */
void guest_trap_init(void);
extern volatile unsigned long guest_fault_resume, guest_last_error;
extern volatile unsigned int guest_last_vector, guest_fault_count;

/* Measurement: fn(ctx, n) performs n iterations of ops_per_iter ops each
 * and returns the TSC ticks they took (n may be 0). */
typedef uint64_t bench_fn(void *ctx, unsigned long n);
void bench_op(const char *op, bench_fn *fn, void *ctx, unsigned int ops_per_iter);

static inline uint64_t rdtsc_fenced(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* n runs of the body between fenced TSC reads; evaluates to the ticks.
 * The body (the rest of the arguments, so it may hold commas) sees the
 * iteration number i.  The harness's empty batch is this loop with
 * nothing in it, so the overhead it subtracts is this loop's own. */
#define TIMED_LOOP(n, ...) ({                                           \
    uint64_t t0_ = rdtsc_fenced();                                      \
    for (unsigned long i = 0; i < (n); i++) {                           \
        __VA_ARGS__;                                                    \
    }                                                                   \
    rdtsc_fenced() - t0_;                                               \
})

/* A bench_fn that is just the timed loop: the body sees ctx and i. */
#define BENCH_FN(name, ...)                                             \
    static uint64_t name(void *ctx __attribute__((unused)), unsigned long n) \
    {                                                                   \
        return TIMED_LOOP(n, __VA_ARGS__);                              \
    }

#endif
