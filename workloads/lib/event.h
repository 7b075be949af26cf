/* Guest-side event channels: shared_info mapped, IPI ports, send, and
 * block-until-pending (events are polled; the runtime's event callback
 * only returns with events masked, lib/head.S). */
#ifndef GUEST_EVENT_H
#define GUEST_EVENT_H
#include "mm.h"
#include "public/event_channel.h"

extern struct shared_info *shared_info;
void map_shared_info(void);
unsigned int evtchn_bind_ipi(unsigned int vcpu);
void evtchn_send(unsigned int port);
/* Block vCPU `vcpu` (the caller) until `port` is pending; clears it. */
void evtchn_wait(unsigned int vcpu, unsigned int port);

#endif
