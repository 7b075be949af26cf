/* Hypercall wrappers for PV guests: a call into the hypercall page the
 * hv filled in (32 bytes per hypercall), arguments in %rdi %rsi %rdx
 * %r10 %r8 as Xen's 64-bit ABI has them. */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H
#include "public/xen.h"
#include "public/sched.h"
#include "public/vcpu.h"
#include "public/callback.h"
#include "public/version.h"
#include "public/asilab.h"
#include "public/memory.h"

extern char hypercall_page[];

static inline long _hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
                              unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;
    __asm__ volatile("call *%[fn]"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : [fn] "r"(hypercall_page + nr * 32)
                     : "memory", "rcx", "r11", "r9");
    return ret;
}
#define HC(nr, a1, a2, a3, a4, a5) \
    _hypercall(nr, (unsigned long)(a1), (unsigned long)(a2), (unsigned long)(a3), \
               (unsigned long)(a4), (unsigned long)(a5))

static inline long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{ return HC(__HYPERVISOR_console_io, cmd, count, buf, 0, 0); }
static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{ return HC(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0); }
static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{ return HC(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0); }
static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{ return HC(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0); }
static inline long HYPERVISOR_set_trap_table(const struct trap_info *t)
{ return HC(__HYPERVISOR_set_trap_table, t, 0, 0, 0, 0); }
static inline long HYPERVISOR_callback_op(int cmd, const void *arg)
{ return HC(__HYPERVISOR_callback_op, cmd, arg, 0, 0, 0); }
static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long sp)
{ return HC(__HYPERVISOR_stack_switch, ss, sp, 0, 0, 0); }
static inline long HYPERVISOR_set_segment_base(int which, unsigned long base)
{ return HC(__HYPERVISOR_set_segment_base, which, base, 0, 0, 0); }
static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, int count,
                                        unsigned int *done, unsigned int dom)
{ return HC(__HYPERVISOR_mmuext_op, op, count, done, dom, 0); }
static inline long HYPERVISOR_memory_op(unsigned long cmd, void *arg)
{ return HC(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0); }
static inline long HYPERVISOR_multicall(struct multicall_entry *calls, unsigned long nr)
{ return HC(__HYPERVISOR_multicall, calls, nr, 0, 0, 0); }
static inline long HYPERVISOR_asilab_op(int cmd, void *arg)
{ return HC(__HYPERVISOR_asilab_op, cmd, arg, 0, 0, 0); }

#endif
