/* Whose is a fault taken from guest mode (a frame whose saved CS has RPL
 * 3): the guest's, to be bounced to it, or the hv's own?  Pure, so the
 * host unit tests run it (tests/unit/test_fault.c). */
#ifndef ASILAB_FAULT_OWNER_H
#define ASILAB_FAULT_OWNER_H
#include "layout.h"
#include "x86.h"

/* Slots 256-271 (a non-canonical address is nobody's: an iret or sysret
 * there faults in ring 3 on AMD, and that is the guest's). */
static inline bool is_hv_address(unsigned long va)
{
    return va >= L4_SLOT_VA(HV_FIRST_SLOT) && va < GUEST_HIGH_START;
}

/* NULL: the guest's.  Otherwise why it is the hv's.  As Xen's
 * guest_mode(), a guest frame is the outermost one on the pCPU's primary
 * stack (`outermost`).  At an hv RIP the guest may only have been
 * stopped before anything ran there: by the refused fetch itself (#PF,
 * CR2 = RIP, a user access) or by an event at the instruction boundary
 * (#DB: single-step with TF set, on the jump that got there); any other
 * fault there means hv code ran in ring 3.  And an implicit supervisor
 * access (descriptor tables, TSS, stack switch) to an hv address from
 * guest mode means the hv left one of its own structures unmapped (the
 * LDT window's lazy faults are handled before this). */
static inline const char *hv_fault_in_guest_mode(bool outermost, unsigned long rip,
                                                 unsigned int vec, uint32_t error_code,
                                                 unsigned long cr2)
{
    if (!outermost)
        return "a ring-3 frame that is not the guest's: nested in the hv";
    if (is_hv_address(rip) && vec != TRAP_debug &&
        !(vec == TRAP_page_fault && cr2 == rip && (error_code & PFEC_user)))
        return "ring-3 execution at an hv address";
    if (vec == TRAP_page_fault && is_hv_address(cr2) && !(error_code & PFEC_user))
        return "guest-mode supervisor access to an unmapped hv address";
    return NULL;
}

#endif
