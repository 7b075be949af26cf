/* leak: does a domain's data outlive a context switch on the hv stack?
 * Instance 0 arms the hv's probe with a pattern, leaves that pattern on
 * the hv stack through ordinary hypercall paths (console_io copies the
 * guest's buffer through a stack chunk; a refused set_gdt copies its
 * frame list onto the stack), then yields to instance 1.  At that switch
 * the hv (after zeroing the stack, with +stackzero) counts the pattern
 * left in the dead part of the stack.  Expected: 0 with +stackzero,
 * more than 0 without, so the probe itself can fail.
 * It also checks that SSE state does not cross the switch: each domain
 * keeps its own %xmm0 (the hv switches FXSAVE state eagerly). */
#include "mm.h"

const char workload_name[] = "leak";
const char *const workload_args[] = { NULL };
#define PATTERN 0x2b2a2b2a2b2a2b2aUL      /* "*+*+*+*+": printable */

void workload_main(void)
{
    char inst[8] = "0";
    arg_get("instance", inst, sizeof(inst));
    if (strcmp(inst, "0")) {
        __asm__ volatile("movq %0, %%xmm0" :: "r"(0xb0b0b0b0UL));
        for (;;)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    __asm__ volatile("movq %0, %%xmm0" :: "r"(0xa0a0a0a0UL));

    static unsigned long frames[14];
    static char line[128];
    for (int i = 0; i < 14; i++)
        frames[i] = PATTERN;
    for (unsigned int i = 0; i < sizeof(line); i += 8)
        *(unsigned long *)(line + i) = PATTERN;
    line[sizeof(line) - 1] = '\n';

    if (HYPERVISOR_asilab_op(ASILAB_OP_probe_arm, (void *)PATTERN))
        guest_panic("arming the probe failed");
    HYPERVISOR_console_io(CONSOLEIO_write, sizeof(line), line);
    if (HYPERVISOR_set_gdt(frames, 14 * 512) != -XEN_EINVAL)
        guest_panic("set_gdt with pattern frames was not refused");
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    unsigned long xmm0;
    __asm__ volatile("movq %%xmm0, %0" : "=r"(xmm0));
    if (xmm0 != 0xa0a0a0a0UL)
        guest_panic("%%xmm0 is %#lx after a switch: SSE state crossed domains", xmm0);
    long found = HYPERVISOR_asilab_op(ASILAB_OP_probe_result, NULL);
    if (found < 0)
        guest_panic("the probe did not run at the switch (%ld)", found);
    printf("@asilab {\"type\":\"probe\",\"workload\":\"leak\",\"op\":\"stack_pattern_after_switch\","
           "\"variant\":\"%s\",\"mode\":\"%s\",\"found\":%ld,\"stack_zero\":%s}\n",
           lab_info.variant, lab_info.mode == ASILAB_MODE_TIMING ? "timing" : "deterministic",
           found, strstr(lab_info.variant, "+stackzero") ? "true" : "false");
}
