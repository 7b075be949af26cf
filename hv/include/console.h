/* COM1 console, printk, panic and the isa-debug-exit power-off. */
#ifndef ASILAB_CONSOLE_H
#define ASILAB_CONSOLE_H
#include "types.h"

/* hv exit codes; QEMU's exit status is (code << 1) | 1. */
#define EXIT_PASS   0
#define EXIT_FAIL   1
#define EXIT_PANIC  2
#define EXIT_HOST_DEFECT 3        /* the host cannot run PV guests (hv/lab/platform.c) */
#define EXIT_EXCEPTION_BASE 0x20   /* + vector: exception inside the hv */

void console_init(void);
void console_write(const char *s, size_t n);   /* serialised, raw */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2))) __noreturn;
void hv_exit(unsigned int code) __noreturn;
extern bool hv_exit_reboot;             /* hv option on_exit=reboot */
extern bool hv_exit_halt;               /* hv option on_exit=halt */

/* Guest console output (hv/pv/console.c, console_ring.c). */
struct domain;
struct console_line;
void guest_console_putc(struct domain *d, struct console_line *l, char c);
extern bool domu_console_io;           /* hv option domu_console_io= */
/* The domU console ring: set up by the builder, consumed when the guest
 * notifies its console port. */
int console_ring_init(struct domain *d, mfn_t ring);
void console_ring_notified(struct domain *d);

#endif
