/* VCPUOP_initialise's selectors, as Xen 4.17's arch_set_info_guest takes
 * them: CS and SS as the guest gives them, only their RPL raised to 3
 * (fixup_guest_code_selector, fixup_guest_stack_selector), the data
 * selectors as given (loaded on the way in; one that does not load
 * bounces to the failsafe callback).  vCPU 1 starts at a 32-bit stub
 * under FLAT_RING3_CS32 with RPL 0 (0xe020): it runs in compat mode only
 * if the hv took that CS, and computes a value only compat mode computes
 * (0x48 is `dec %eax` there, a REX prefix in 64-bit mode); it keeps its
 * CS, SS and DS (given with RPL 0: 0xe028), far-jumps to 64-bit code,
 * stores them and parks. */
#include "abi.h"

extern char vcpu32_stub[], guest_event_callback[];
volatile uint32_t vcpu32_eax, vcpu32_cs, vcpu32_ss, vcpu32_ds, vcpu32_done;
void vcpu32_park(void) __noreturn;

__asm__(
    "    .text\n"
    "    .code32\n"
    "    .globl vcpu32_stub\n"
    "vcpu32_stub:\n"
    "    xor %eax, %eax\n"
    "    .byte 0x48\n"                  /* dec %eax (compat); REX.W (64-bit) */
    "    nop\n"
    "    mov %cs, %ebx\n"
    "    mov %ss, %ecx\n"
    "    mov %ds, %edx\n"
    "    ljmp $0xe033, $vcpu32_back\n"   /* FLAT_RING3_CS64 */
    "    .code64\n"
    "vcpu32_back:\n"
    "    mov %eax, vcpu32_eax(%rip)\n"
    "    mov %ebx, vcpu32_cs(%rip)\n"
    "    mov %ecx, vcpu32_ss(%rip)\n"
    "    mov %edx, vcpu32_ds(%rip)\n"
    "    movl $1, vcpu32_done(%rip)\n"
    "    jmp vcpu32_park\n");

void vcpu32_park(void)
{
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

void vcpu_cases(void)
{
    static struct vcpu_guest_context ctxt;
    static char stack[4096] __aligned(16);

    memset(&ctxt, 0, sizeof(ctxt));
    ctxt.flags = VGCF_in_kernel;
    ctxt.user_regs.rip = (unsigned long)vcpu32_stub;
    ctxt.user_regs.rsp = (unsigned long)stack + sizeof(stack);
    ctxt.user_regs.rflags = 0x202;
    ctxt.user_regs.cs = FLAT_RING3_CS32 & ~3;
    ctxt.user_regs.ss = FLAT_KERNEL_SS & ~3;
    ctxt.user_regs.ds = FLAT_RING3_DS32 & ~3;
    ctxt.event_callback_eip = (unsigned long)guest_event_callback;
    ctxt.ctrlreg[3] = xen_pfn_to_cr3(virt_to_mfn((void *)start_info->pt_base));
    ctxt.kernel_ss = FLAT_KERNEL_SS;
    ctxt.kernel_sp = (unsigned long)stack + sizeof(stack);
    check("VCPUOP_initialise, 32-bit CS with RPL 0",
          HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctxt), 0);
    check("VCPUOP_up", HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), 0);
    for (int i = 0; i < 1000 && !vcpu32_done; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check("vCPU 1 reached its 64-bit code", vcpu32_done, 1);
    check("vCPU 1 ran in compat mode (dec %eax)", vcpu32_eax, 0xffffffffL);
    check("vCPU 1's CS: the given one, RPL raised", vcpu32_cs, FLAT_RING3_CS32);
    check("vCPU 1's SS: the given one, RPL raised", vcpu32_ss, FLAT_KERNEL_SS);
    check("vCPU 1's DS: as given", vcpu32_ds, FLAT_RING3_DS32 & ~3);
}
