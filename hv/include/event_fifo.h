/* The FIFO event channel ABI (hv/pv/event_fifo.c); a domain uses it once
 * d->evtchn_fifo is set, the 2-level ABI (hv/pv/event_channel.c) before. */
#ifndef ASILAB_EVENT_FIFO_H
#define ASILAB_EVENT_FIFO_H
#include "domain.h"
#include "public/event_channel.h"

/* Callers hold d->evtchn_lock.  set_pending: true if newly pending. */
bool evtchn_fifo_set_pending(struct domain *d, unsigned int port);
void evtchn_fifo_clear_pending(struct domain *d, unsigned int port);
void evtchn_fifo_unmask(struct domain *d, unsigned int port);
bool evtchn_fifo_is_pending(const struct domain *d, unsigned int port);
long evtchn_fifo_init_control(struct domain *d, struct evtchn_init_control *ic);
long evtchn_fifo_expand_array(struct domain *d, const struct evtchn_expand_array *ea);
long evtchn_fifo_set_priority(struct domain *d, unsigned int port, unsigned int priority);
/* EVTCHNOP_reset: back to 2-level, the frames released (also d's mm_lock). */
void evtchn_fifo_destroy(struct domain *d);

void evtchn_fifo_frames(struct domain *d, void (*fn)(struct domain *, mfn_t));

#endif
