/* hypercall: the null hypercall round trip from the guest kernel
 * (xen_version(XENVER_version) through the hypercall page: SYSCALL into
 * the hv, dispatch, SYSRET back).  Exposes what a strategy adds to every
 * guest->hv->guest transition (XPTI: two CR3 loads; others: none). */
#include "guest.h"

const char workload_name[] = "hypercall";
const char *const workload_args[] = { NULL };

BENCH_FN(null_hypercall, HYPERVISOR_xen_version(XENVER_version, NULL))

void workload_main(void)
{
    if (HYPERVISOR_xen_version(XENVER_version, NULL) < 0)
        guest_panic("xen_version failed");
    bench_op("null_hypercall", null_hypercall, NULL, 1);
}
