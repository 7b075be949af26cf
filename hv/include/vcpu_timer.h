/* Guest time and timers (hv/sched/vcpu_timer.c). */
#ifndef ASILAB_VCPU_TIMER_H
#define ASILAB_VCPU_TIMER_H
#include "domain.h"

#define VIRQ_TIMER_HV 0          /* public/event_channel.h's VIRQ_TIMER */

void vcpu_time_init(struct vcpu *v);
void timers_reprogram(struct pcpu *c);
bool timers_fire(struct pcpu *c);     /* true: the time slice expired */
void vcpu_set_singleshot(struct vcpu *v, uint64_t deadline);
void vcpu_set_periodic(struct vcpu *v, uint64_t period);
void vcpu_set_poll_deadline(struct vcpu *v, uint64_t deadline);
/* hv/pv/sched_op.c: a poll ended (an event, or its timeout). */
void vcpu_poll_end(struct vcpu *v);
/* hv/lab/calibrate.c: the 32.32 ns-per-TSC-tick scale of hv_time_ns. */
uint64_t hv_ns_per_tick_32(void);

#endif
