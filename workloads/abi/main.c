/* abi: the Xen PV ABI paths a guest written against Xen's public headers
 * uses, each checked against Xen 4.17's answer (results, error codes,
 * what changed): multicall (mc_cases.c), xen_version, vm_assist,
 * console_io, set_segment_base, update_va_mapping_otherdomain and the
 * remaining mmuext_ops (misc_cases.c), VCPUOP_initialise's selectors
 * (vcpu_cases.c, the boot with vcpus=2).  Any difference is printed and
 * fails the boot.  Booted as dom0 and as a domU (two modules); the one
 * with bench=1 (the domU: dom0 is done by then) then times a multicall
 * of two null hypercalls. */
#include "abi.h"

const char workload_name[] = "abi";
const char *const workload_args[] = { "bench", NULL };

unsigned int checks, failures;

void check(const char *what, long got, long want)
{
    checks++;
    if (got != want) {
        failures++;
        printf("abi: %s: expected %ld (%#lx), got %ld (%#lx)\n", what, want,
               (unsigned long)want, got, (unsigned long)got);
    }
}

BENCH_FN(multicall_null_2, HYPERVISOR_multicall(ctx, 2))   /* ctx: the two entries */

void workload_main(void)
{
    static struct multicall_entry mc[2] = {
        { .op = __HYPERVISOR_xen_version, .args = { XENVER_version } },
        { .op = __HYPERVISOR_xen_version, .args = { XENVER_version } },
    };

    guest_trap_init();
    multicall_cases();
    misc_cases();
    char v[4];
    if (arg_get("vcpus", v, sizeof(v)) && v[0] == '2')
        vcpu_cases();
    if (failures)
        guest_panic("abi: %u of %u checks failed", failures, checks);
    printf("abi: %u checks passed\n", checks);
    char arg[4];
    if (arg_get("bench", arg, sizeof(arg)) && arg[0] == '1')
        bench_op("multicall_null_2", multicall_null_2, mc, 1);
}
