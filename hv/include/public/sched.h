/* sched_op: yield, block, shutdown (Xen's public/sched.h values). */
#ifndef ASILAB_PUBLIC_SCHED_H
#define ASILAB_PUBLIC_SCHED_H
#define SCHEDOP_yield     0
#define SCHEDOP_block     1
#define SCHEDOP_shutdown  2
#define SCHEDOP_poll      3

struct sched_shutdown {
    unsigned int reason;
};
#define SHUTDOWN_poweroff   0
#define SHUTDOWN_reboot     1
#define SHUTDOWN_suspend    2
#define SHUTDOWN_crash      3
#define SHUTDOWN_watchdog   4
/* SCHEDOP_poll: block until one of the ports is pending, or timeout
 * (absolute system time in ns; 0: none). */
struct sched_poll {
    uint64_t ports;                  /* guest address of evtchn_port_t[] */
    uint32_t nr_ports;
    uint32_t _pad;
    uint64_t timeout;
};
#endif
