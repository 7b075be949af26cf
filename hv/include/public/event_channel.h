/* event_channel_op, the subset asilab implements: vCPU-to-vCPU IPI
 * channels (Xen's public/event_channel.h values). */
#ifndef ASILAB_PUBLIC_EVENT_CHANNEL_H
#define ASILAB_PUBLIC_EVENT_CHANNEL_H
#include <stdint.h>

typedef uint32_t evtchn_port_t;
#define EVTCHNOP_close     3
#define EVTCHNOP_send      4
#define EVTCHNOP_bind_ipi  7
#define EVTCHNOP_unmask    9

struct evtchn_bind_ipi { uint32_t vcpu; evtchn_port_t port; };
struct evtchn_send { evtchn_port_t port; };
struct evtchn_close { evtchn_port_t port; };
struct evtchn_unmask { evtchn_port_t port; };
#endif
