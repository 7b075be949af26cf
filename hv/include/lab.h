/* Lab instrumentation: per-pCPU event counters, the run's mode, and the
 * @asilab record stream on COM1. */
#ifndef ASILAB_LAB_H
#define ASILAB_LAB_H
#include "types.h"
#include "config.h"
#include "public/asilab.h"

/* One pCPU's counters, a cache line (or more) of its own: pCPUs never
 * share a line when they count. */
struct lab_pcpu_counters {
    uint64_t ev[NR_ASILAB_EVENTS];
} __attribute__((aligned(64)));
extern struct lab_pcpu_counters lab_counters[NR_CPUS];
extern unsigned int lab_mode;    /* ASILAB_MODE_* from the hv cmdline */
/* "timing" or "deterministic": the records' "mode". */
static inline const char *lab_mode_name(void)
{
    return lab_mode == ASILAB_MODE_TIMING ? "timing" : "deterministic";
}
extern uint64_t lab_tsc_khz;     /* measured at boot (timing mode)     */

#ifdef ASILAB_LEAN
/* A lean image (build/lean/): no counting code on any path. */
#define lab_count(cpu, e, n) ((void)sizeof(cpu), (void)sizeof(n))
#else
#define lab_count(cpu, e, n) (lab_counters[(cpu)].ev[EV_##e] += (n))
#endif
#define this_cpu_count(e, n) lab_count(smp_processor_id(), e, n)

extern unsigned long lab_records_emitted;
/* Per image (hv/lab/variant.c, compiled with the variant's defines). */
extern const char asilab_variant[];
extern const char asilab_git_rev[];
extern const bool asilab_stackzero;   /* the +stackzero option */
extern const bool asilab_pcid;        /* the +pcid option (hv/arch/x86/flushtlb.c decides) */
/* Boot checks of what the hv runs on: the "platform" record
 * (hv/lab/platform.c); exits with EXIT_HOST_DEFECT where SYSCALL does
 * not reach CPL 0. */
void lab_platform_check(void);
extern bool syscall_probe_active;
struct cpu_user_regs;
void syscall_probe_fault(const struct cpu_user_regs *regs, unsigned int vec) __noreturn;
void lab_calibrate(void);
/* While set, idle pCPUs spin with interrupts enabled instead of halting
 * (the calibration's IPI round trip measures an IPI, not a wake-up). */
extern volatile bool lab_calib_spin;
void lab_emit_record(const char *line, size_t n);
/* Walk the tables live for the current vCPU in guest and in hv mode and
 * emit one exposure record for each (hv/lab/exposure.c). */
void lab_emit_exposure(void);
void lab_emit_end_and_exit(void) __noreturn;
long do_asilab_op(unsigned long cmd, unsigned long arg);

#endif
