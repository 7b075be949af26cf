/* leak: does a domain's data outlive a context switch on the hv stack?
 * Instance 0 arms the hv's probe with a pattern, leaves that pattern on
 * the hv stack through ordinary hypercall paths (console_io copies the
 * guest's buffer through a stack chunk; a refused set_gdt copies its
 * frame list onto the stack), then yields to instance 1.  At that switch
 * the hv (after zeroing the stack, with +stackzero) counts the pattern
 * left in the dead part of the stack.  Expected: 0 with +stackzero,
 * more than 0 without, so the probe itself can fail.
 * It also checks that FPU state does not cross the switch: each domain
 * keeps its own %xmm0 (the hv switches FXSAVE state eagerly), and the
 * x87 error pointers instance 1 leaves behind (its last x87 instruction
 * and data address, FIP/FDP) are not what instance 0 finds in its own
 * FPU environment afterwards (AMD CPUs without RstrFpErrPtrs keep them
 * across FXRSTOR unless the hv scrubs them, as Xen does). */
#include "mm.h"

const char workload_name[] = "leak";
const char *const workload_args[] = { NULL };
#define PATTERN 0x2b2a2b2a2b2a2b2aUL      /* "*+*+*+*+": printable */

extern char fpu_insn_1[];                 /* instance 1's x87 instruction */
static double fpu_data_1 = 1.0;           /* and its memory operand */

void workload_main(void)
{
    if (lab_info.instance != 0) {
        __asm__ volatile("movq %0, %%xmm0" :: "r"(0xb0b0b0b0UL));
        __asm__ volatile(".globl fpu_insn_1\nfpu_insn_1: fldl %0" :: "m"(fpu_data_1));
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
    /* FNSTENV, 32-bit layout: FIP at byte 12, FDP at byte 20. */
    uint32_t env[7];
    __asm__ volatile("fnstenv %0" : "=m"(env));
    if (env[3] == (uint32_t)(unsigned long)fpu_insn_1 ||
        env[5] == (uint32_t)(unsigned long)&fpu_data_1)
        guest_panic("FIP %#x FDP %#x after a switch: the other domain's x87 pointers",
                    env[3], env[5]);
    long found = HYPERVISOR_asilab_op(ASILAB_OP_probe_result, NULL);
    if (found < 0)
        guest_panic("the probe did not run at the switch (%ld)", found);
    printf("@asilab {\"type\":\"probe\",\"workload\":\"leak\",\"op\":\"stack_pattern_after_switch\","
           "\"variant\":\"%s\",\"mode\":\"%s\",\"found\":%ld,\"stack_zero\":%s}\n",
           lab_info.variant, lab_info.mode == ASILAB_MODE_TIMING ? "timing" : "deterministic",
           found, strstr(lab_info.variant, "+stackzero") ? "true" : "false");
}
