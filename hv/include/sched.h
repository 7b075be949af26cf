/* Per-pCPU round-robin scheduling, softirqs, and context_switch. */
#ifndef ASILAB_SCHED_H
#define ASILAB_SCHED_H
#include "domain.h"

#define SCHEDULE_SOFTIRQ 0
#define TIMER_SOFTIRQ    1    /* reprogram this pCPU's LAPIC (guest timers) */

void raise_softirq(unsigned int cpu, unsigned int nr);
void do_softirqs(void);
void sched_init_cpu(unsigned int cpu);
void vcpu_wake(struct vcpu *v);
void vcpu_up(struct vcpu *v);
void vcpu_block(struct vcpu *v);
void vcpu_yield(struct vcpu *v);
void vcpu_offline(struct vcpu *v);
void sched_timer_tick(void);
void write_ptbase(struct vcpu *v);
int vcpu_register_runstate(struct vcpu *v, unsigned long area);
uint64_t hv_time_ns(void);

#endif
