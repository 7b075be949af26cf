/* multicall: a batch of hypercalls in one guest entry, with Xen's
 * semantics (common/multicall.c, arch/x86/pv/hypercall.c; our code).
 * Each entry runs through the dispatch a SYSCALL hypercall takes
 * (pv_hypercall: the domain's mm_lock for the MM hypercalls, the audit
 * after them), and its result is written back into the entry.  As Xen:
 *  - a list the guest cannot address: -EFAULT before any entry runs; an
 *    entry that cannot be read, or whose result cannot be written back,
 *    stops the batch with -EFAULT;
 *  - a multicall inside a multicall is refused per entry (its result is
 *    -EINVAL) and the batch goes on;
 *  - HYPERVISOR_iret as an entry performs the iret and ends the batch:
 *    the multicall then returns what the iret restored into %rax (the
 *    entry's result gets the same, if it can be written);
 *  - between entries the batch may be preempted and continued, as a
 *    Xen hypercall continuation: the guest re-executes its SYSCALL with
 *    %rdi/%rsi advanced past the entries done.  asilab preempts when this
 *    pCPU has a softirq pending (Xen's hypercall_preempt_check) and, as
 *    the hv runs with interrupts off, after every MC_PREEMPT_EVERY
 *    entries, so no batch holds a pCPU for long.
 * nr_calls is an unsigned int, as in Xen's prototype. */
#include "domain.h"
#include "hypercall.h"
#include "traps.h"

#define MC_PREEMPT_EVERY 64

long do_multicall(unsigned long list, unsigned long nr_arg, unsigned long a3,
                  unsigned long a4, unsigned long a5)
{
    unsigned int nr = nr_arg;
    const size_t esz = sizeof(struct multicall_entry);
    struct multicall_entry call;

    if (!guest_range_ok(list, (size_t)nr * esz))
        return -XEN_EFAULT;
    for (unsigned int i = 0; i < nr; i++, list += esz) {
        if (i && (i % MC_PREEMPT_EVERY == 0 || this_pcpu()->softirq_pending)) {
            struct cpu_user_regs *regs = guest_cpu_user_regs();
            regs->rdi = list;
            regs->rsi = nr - i;
            regs->rip -= 2;                      /* the SYSCALL again */
            return __HYPERVISOR_multicall;       /* into %rax for it */
        }
        if (copy_from_guest(&call, list, esz))
            return -XEN_EFAULT;
        if (call.op == __HYPERVISOR_iret) {
            struct cpu_user_regs *regs = guest_cpu_user_regs();
            do_iret(regs);
            call.result = regs->rax;
            copy_to_guest(list + offsetof(struct multicall_entry, result),
                          &call.result, sizeof(call.result));   /* best effort */
            return call.result;
        }
        if (call.op == __HYPERVISOR_multicall)
            call.result = -XEN_EINVAL;           /* reentry is disallowed */
        else
            call.result = pv_hypercall(call.op, call.args);
        if (copy_to_guest(list + offsetof(struct multicall_entry, result),
                          &call.result, sizeof(call.result)))
            return -XEN_EFAULT;
    }
    return 0;
}
