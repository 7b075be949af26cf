/* Hypercall handlers, one family per file under hv/pv/. */
#ifndef ASILAB_HYPERCALL_H
#define ASILAB_HYPERCALL_H
#include "types.h"

typedef long hypercall_fn_t(unsigned long, unsigned long, unsigned long,
                            unsigned long, unsigned long);

long do_console_io(unsigned long cmd, unsigned long count, unsigned long buf,
                   unsigned long a4, unsigned long a5);
long do_sched_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                 unsigned long a4, unsigned long a5);
long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg,
                unsigned long a4, unsigned long a5);
long do_set_trap_table(unsigned long traps, unsigned long a2, unsigned long a3,
                       unsigned long a4, unsigned long a5);
long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall, unsigned long a4, unsigned long a5);
long do_callback_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                    unsigned long a4, unsigned long a5);
long do_fpu_taskswitch(unsigned long set, unsigned long a2, unsigned long a3,
                       unsigned long a4, unsigned long a5);
long do_set_debugreg(unsigned long reg, unsigned long value, unsigned long a3,
                     unsigned long a4, unsigned long a5);
long do_get_debugreg(unsigned long reg, unsigned long a2, unsigned long a3,
                     unsigned long a4, unsigned long a5);
long do_physdev_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                   unsigned long a4, unsigned long a5);
long do_set_timer_op(unsigned long timeout, unsigned long a2, unsigned long a3,
                     unsigned long a4, unsigned long a5);
long do_stack_switch(unsigned long ss, unsigned long sp, unsigned long a3,
                     unsigned long a4, unsigned long a5);
long do_set_segment_base(unsigned long which, unsigned long base,
                         unsigned long a3, unsigned long a4, unsigned long a5);
long do_mmuext_op(unsigned long ops, unsigned long count, unsigned long pdone,
                  unsigned long foreigndom, unsigned long a5);
long do_mmu_update(unsigned long reqs, unsigned long count, unsigned long pdone,
                   unsigned long foreigndom, unsigned long a5);
long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags,
                          unsigned long a4, unsigned long a5);
long do_update_va_mapping_otherdomain(unsigned long va, unsigned long val,
                                      unsigned long flags, unsigned long domid,
                                      unsigned long a5);
long do_vm_assist(unsigned long cmd, unsigned long type, unsigned long a3,
                  unsigned long a4, unsigned long a5);
long do_set_gdt(unsigned long frame_list, unsigned long entries, unsigned long a3,
                unsigned long a4, unsigned long a5);
long do_update_descriptor(unsigned long ma, unsigned long desc, unsigned long a3,
                          unsigned long a4, unsigned long a5);
long do_event_channel_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                         unsigned long a4, unsigned long a5);
long do_memory_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                  unsigned long a4, unsigned long a5);
long do_xen_version(unsigned long cmd, unsigned long arg, unsigned long a3,
                    unsigned long a4, unsigned long a5);
long do_multicall(unsigned long list, unsigned long nr, unsigned long a3,
                  unsigned long a4, unsigned long a5);

/* hv/pv/hypercall.c: run hypercall nr with arguments a[0..4] as a
 * SYSCALL from the guest kernel would (under the domain's mm_lock for
 * the MM hypercalls), -XEN_ENOSYS if there is no such hypercall. */
long pv_hypercall(unsigned long nr, const unsigned long a[5]);
/* Log "unsupported <what> <nr>" the first time nr is seen in seen (128
 * bits: numbers 0-126, and one for all above). */
void log_unsupported_once(unsigned long seen[2], const char *what, unsigned long nr);

#endif
