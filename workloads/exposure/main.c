/* exposure: what does each variant map while this vCPU runs?  With
 * domains=2 vcpus=2 spread=1 there is another domain, a sibling vCPU on
 * another pCPU (with its own GDT in its per-domain window) and another
 * pCPU's stack; vCPU 0 then asks the hv's isolation auditor to walk the
 * tables live for it in guest mode and in hv mode and emit one exposure
 * record for each. */
#include "mm.h"

const char workload_name[] = "exposure";
const char *const workload_args[] = { NULL };

static char sibling_stack[8192] __aligned(16);
static unsigned long sibling_gdt;
static volatile int sibling_ready;

static void sibling(void)
{
    if (HYPERVISOR_set_gdt(&sibling_gdt, 512))
        guest_panic("sibling: set_gdt failed");
    sibling_ready = 1;
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

void workload_main(void)
{
    if (lab_info.instance != 0)
        for (;;)
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);

    void *gdt = page_alloc();
    make_readonly(gdt);
    sibling_gdt = virt_to_mfn(gdt);
    if (vcpu_start(1, sibling, sibling_stack + sizeof(sibling_stack)))
        guest_panic("starting vCPU 1 failed");
    while (!sibling_ready)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    if (HYPERVISOR_asilab_op(ASILAB_OP_exposure, NULL))
        guest_panic("the exposure audit failed");
}
