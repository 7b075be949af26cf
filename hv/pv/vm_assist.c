/* vm_assist: a domain's optional ABI behaviours (Xen's common/domain.c
 * do_vm_assist with the 64-bit PV mask of arch/x86's domain.h).  Every
 * type Xen accepts for a 64-bit PV guest can be enabled and disabled;
 * others, and types past 63, are -EINVAL; a command other than
 * enable/disable -ENOSYS.  What each means in asilab:
 *  - runstate_update_flag: honoured (XEN_RUNSTATE_UPDATE while the hv
 *    rewrites the runstate area, hv/sched/schedule.c);
 *  - architectural_iopl: honoured (the I/O-port emulation takes the
 *    virtual IOPL as the guest's EFLAGS.IOPL, hv/pv/emul-priv-op.c);
 *  - pae_extended_cr3: reported back as XENFEAT_pae_pgdir_above_4gb, as
 *    Xen does; otherwise 32-bit only, like 4gb_segments(_notify);
 *  - writable_pagetables, m2p_strict: recorded, not acted on (no
 *    page-table write emulation; the M2P slot is the same in user and
 *    kernel tables): README, deviations. */
#include "domain.h"
#include "hypercall.h"
#include "lib.h"

#define PV64_VM_ASSIST_MASK                                                 \
    ((1UL << VMASST_TYPE_4gb_segments) | (1UL << VMASST_TYPE_4gb_segments_notify) | \
     (1UL << VMASST_TYPE_writable_pagetables) | (1UL << VMASST_TYPE_pae_extended_cr3) | \
     (1UL << VMASST_TYPE_architectural_iopl) | (1UL << VMASST_TYPE_runstate_update_flag) | \
     (1UL << VMASST_TYPE_m2p_strict))

long do_vm_assist(unsigned long cmd_arg, unsigned long type_arg, unsigned long a3,
                  unsigned long a4, unsigned long a5)
{
    static unsigned long unsupported[2];
    struct domain *d = current->domain;
    unsigned int cmd = cmd_arg, type = type_arg;    /* Xen's prototype */

    if (type >= 64 || !((PV64_VM_ASSIST_MASK >> type) & 1))
        return -XEN_EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        __atomic_fetch_or(&d->vm_assist, 1UL << type, __ATOMIC_RELAXED);
        return 0;
    case VMASST_CMD_disable:
        __atomic_fetch_and(&d->vm_assist, ~(1UL << type), __ATOMIC_RELAXED);
        return 0;
    }
    log_unsupported_once(unsupported, "vm_assist command", cmd);
    return -XEN_ENOSYS;
}
