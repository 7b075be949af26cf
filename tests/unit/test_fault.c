/* Host unit tests of hv_fault_in_guest_mode (hv/include/fault_owner.h):
 * which faults from guest mode are the guest's own (bounced to it) and
 * which are the hv's (a crash dump).  Proves: a nested ring-3 frame is
 * the hv's; at an hv RIP only the refused fetch itself (#PF, CR2 = RIP,
 * user access) and a #DB at the boundary (single-step onto it) are the
 * guest's, anything else there is hv code having run in ring 3; an
 * explicit (user) access to an hv address is the guest's, an implicit
 * supervisor one the hv's; a non-canonical RIP (an iret or sysret there
 * faults in ring 3 on AMD) and every fault at a guest RIP on guest data
 * are the guest's. */
#include <stdbool.h>
#include <stdint.h>
#include "fault_owner.h"
#include "unit.h"

#define HV_TEXT  0xffff82d040100000UL
#define HV_DMAP  0xffff830000100000UL
#define LDT_WIN  0xffff820000010000UL
#define GUEST    0x0000000000401000UL
#define GUEST_HI 0xffff880000001000UL
#define PF_FETCH (PFEC_present | PFEC_user | 0x10)

static bool guests(bool outer, unsigned long rip, unsigned int vec, uint32_t err,
                   unsigned long cr2)
{
    return hv_fault_in_guest_mode(outer, rip, vec, err, cr2) == NULL;
}

static void test_outermost(void)
{
    CHECK(guests(true, GUEST, TRAP_gp_fault, 0, 0));
    CHECK(!guests(false, GUEST, TRAP_gp_fault, 0, 0));
    CHECK(!guests(false, GUEST, TRAP_page_fault, PFEC_user, GUEST));
}

static void test_hv_rip(void)
{
    CHECK(guests(true, HV_TEXT, TRAP_page_fault, PF_FETCH, HV_TEXT));    /* jmp there */
    CHECK(guests(true, HV_TEXT, TRAP_debug, 0, 0));                      /* TF + jmp */
    CHECK(!guests(true, HV_TEXT, TRAP_page_fault, PF_FETCH & ~PFEC_user, HV_TEXT));
    CHECK(!guests(true, HV_TEXT, TRAP_page_fault, PF_FETCH, HV_TEXT + 8));
    CHECK(!guests(true, HV_TEXT, TRAP_gp_fault, 0, 0));
    CHECK(!guests(true, HV_TEXT, TRAP_invalid_op, 0, 0));
    CHECK(!guests(true, HV_DMAP, TRAP_int3, 0, 0));
    CHECK(!guests(true, 0xffff800000000000UL, TRAP_gp_fault, 0, 0));     /* slot 256 */
    CHECK(!guests(true, GUEST_HIGH_START - 8, TRAP_gp_fault, 0, 0));     /* slot 271 */
    CHECK(guests(true, GUEST_HI, TRAP_gp_fault, 0, 0));                  /* slot 272 */
    CHECK(guests(true, 0x0000900000000000UL, TRAP_gp_fault, 0, 0));      /* non-canonical */
    CHECK(guests(true, 0x00007ffffffff000UL, TRAP_page_fault, PF_FETCH, 0x00007ffffffff000UL));
}

static void test_hv_cr2(void)
{
    CHECK(guests(true, GUEST, TRAP_page_fault, PFEC_present | PFEC_user, HV_DMAP));
    CHECK(guests(true, GUEST, TRAP_page_fault, PFEC_user | PFEC_write, LDT_WIN));
    CHECK(!guests(true, GUEST, TRAP_page_fault, 0, LDT_WIN));            /* implicit */
    CHECK(!guests(true, GUEST, TRAP_page_fault, PFEC_present | PFEC_write, HV_DMAP));
    CHECK(guests(true, GUEST, TRAP_page_fault, 0, GUEST));               /* guest data */
    CHECK(guests(true, GUEST, TRAP_page_fault, PFEC_user, 0x0000900000000000UL));
    CHECK(guests(true, GUEST, TRAP_gp_fault, 0, HV_DMAP));               /* CR2 of a #GP */
}

int main(void)
{
    RUN(test_outermost);
    RUN(test_hv_rip);
    RUN(test_hv_cr2);
    return unit_summary();
}
