/* Every way into and out of the hv: exception and interrupt stubs, the
 * SYSCALL entry (hypercalls and guest-user syscalls), restore_all_guest,
 * and guest-memory copies with fault fixups.  All of it lives in
 * .text.entry so a restricted root table can map just this. */
#include "asm.h"

        .section .text.entry, "ax"

.macro SAVE_ALL
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        cld
.endm

.macro RESTORE_ALL
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
.endm

/* %rcx = this pCPU's cpu_info, found from any of its stacks (primary or
 * IST) by the block's alignment. */
.macro GET_CPUINFO
        mov     %rsp, %rcx
        or      $(STACK_SIZE_ASM - 1), %rcx
        sub     $(CPUINFO_sizeof - 1), %rcx
.endm

/* Count a load of xen_cr3 or pv_cr3: lab_counters[this pCPU]'s
 * cr3_load, or cr3_load_noflush with PCIDs (ci->cr3_load_count, set by
 * tlb_cpu_init).  Clobbers %rax.  ci: a cpu_info pointer. */
.macro COUNT_CR3_LOAD ci
#ifndef ASILAB_LEAN                     /* a lean image counts nothing */
        mov     CPUINFO_cr3_load_count(\ci), %rax
        incq    (%rax)
#endif
.endm

/* Entered from the guest: switch to the hv's CR3 if the strategy asked
 * for one (cpu_info->xen_cr3), counting the load.  %rcx = cpu_info. */
.macro SWITCH_TO_HV_CR3
        mov     CPUINFO_xen_cr3(%rcx), %rax
        test    %rax, %rax
        jz      88f
        mov     %rax, %cr3
        COUNT_CR3_LOAD %rcx
88:
.endm

/* Entered in ring 0 (an NMI or fault between loading the guest's CR3
 * and leaving): if CR3 is still the strategy's guest-mode root, switch. */
.macro SWITCH_TO_HV_CR3_IF_GUEST_ROOT
        GET_CPUINFO
        mov     CPUINFO_pv_cr3(%rcx), %rax
        test    %rax, %rax
        jz      89f
        btr     $63, %rax               /* the no-flush bit never reads back */
        mov     %cr3, %rdx
        cmp     %rax, %rdx
        jne     89f
        SWITCH_TO_HV_CR3
89:
.endm

/* From the guest on the primary stack, the frame is at the top: cpu_info
 * is right above %rsp, no alignment arithmetic needed. */
.macro SWITCH_TO_HV_CR3_FROM_GUEST
        mov     %rsp, %rcx
        SWITCH_TO_HV_CR3
.endm

/* Exception stubs: vectors 0-31 (NMI, #DF, #MC arrive on IST stacks). */
.macro EXC vec, has_err, ist=0
        .align 16
exc_\vec:
        .if \has_err == 0
        push    $0
        .endif
        movl    $\vec, 4(%rsp)
        .if \ist == 2
        jmp     handle_debug
        .elseif \ist
        jmp     handle_ist_exception
        .else
        jmp     handle_exception
        .endif
.endm

        .align 16
        .globl exception_stubs
exception_stubs:
        EXC 0,0;  EXC 1,0,2; EXC 2,0,1; EXC 3,0;  EXC 4,0;  EXC 5,0
        EXC 6,0;  EXC 7,0;  EXC 8,1,1; EXC 9,0;  EXC 10,1; EXC 11,1
        EXC 12,1; EXC 13,1; EXC 14,1; EXC 15,0; EXC 16,0; EXC 17,1
        EXC 18,0,1; EXC 19,0; EXC 20,0; EXC 21,1; EXC 22,0; EXC 23,0
        EXC 24,0; EXC 25,0; EXC 26,0; EXC 27,0; EXC 28,0; EXC 29,1
        EXC 30,1; EXC 31,0

/* Interrupt stubs: vectors 32-255, 16 bytes each. */
        .align 16
        .globl irq_stubs
irq_stubs:
        vec = 32
        .rept 224
        .align 16
        push    $0
        movl    $vec, 4(%rsp)
        jmp     handle_interrupt
        vec = vec + 1
        .endr

/* NMI, #DF, #MC: on an IST stack, from anywhere; do_trap dumps and stops. */
handle_ist_exception:
        SAVE_ALL
        testb   $3, UREGS_cs(%rsp)
        jz      2f
        GET_CPUINFO
        SWITCH_TO_HV_CR3
        jmp     1f
2:      SWITCH_TO_HV_CR3_IF_GUEST_ROOT
1:      mov     %rsp, %rdi
        call    do_trap
        ud2

/* #DB arrives on an IST stack (it shares #DF's: a #DF ends the run), so
 * that a #DB raised in ring 0 before the SYSCALL stub has switched
 * stacks (TF or a `mov ss`-deferred guest breakpoint across SYSCALL,
 * XSA-260) never pushes onto the guest's %rsp.  From the guest: move the
 * frame to the primary stack's guest frame and go on as any exception.
 * In the hv: note DR6 for the guest (do_trap) on the IST stack, back in
 * the page tables that were live, and return. */
handle_debug:
        testb   $3, 16(%rsp)
        jz      3f
        push    %rax
        push    %rcx
        GET_CPUINFO
        .irp off, 0, 8, 16, 24, 32, 40
        mov     16+\off(%rsp), %rax
        mov     %rax, UREGS_rip-8+\off(%rcx)
        .endr
        lea     UREGS_rip-8(%rcx), %rcx
        mov     8(%rsp), %rax
        xchg    %rcx, (%rsp)
        mov     (%rsp), %rsp
        jmp     handle_exception
3:      SAVE_ALL
        mov     %cr3, %rbx
        SWITCH_TO_HV_CR3_IF_GUEST_ROOT
        mov     %rsp, %rdi
        call    do_trap
        mov     %cr3, %rax
        cmp     %rax, %rbx
        je      4f
        mov     %rbx, %cr3
4:      RESTORE_ALL
        add     $8, %rsp
        iretq

handle_exception:
        SAVE_ALL
        testb   $3, UREGS_cs(%rsp)
        jz      2f
        SWITCH_TO_HV_CR3_FROM_GUEST
        jmp     1f
2:      SWITCH_TO_HV_CR3_IF_GUEST_ROOT
1:      mov     %rsp, %rdi
        call    do_trap
        testb   $3, UREGS_cs(%rsp)
        jnz     exit_to_guest
        RESTORE_ALL
        add     $8, %rsp
        iretq

handle_interrupt:
        SAVE_ALL
        testb   $3, UREGS_cs(%rsp)
        jz      1f
        SWITCH_TO_HV_CR3_FROM_GUEST
1:      mov     %rsp, %rdi
        call    do_IRQ
        testb   $3, UREGS_cs(%rsp)
        jnz     exit_to_guest
        RESTORE_ALL
        add     $8, %rsp
        iretq

/* SYSCALL from the guest (kernel: hypercall; user: bounced syscall).
 * The per-CPU stub (see traps.c) has moved us to this CPU's stack with
 * the guest %rsp in the frame's rsp slot and guest %rax in its ss slot. */
        .globl lstar_enter
lstar_enter:
        mov     8(%rsp), %rax
        movq    $FLAT_RING3_SS64_ASM, 8(%rsp)
        push    %r11
        push    $FLAT_RING3_CS64_ASM
        push    %rcx
        push    $0
        movl    $TRAP_syscall_asm, 4(%rsp)
        SAVE_ALL
        SWITCH_TO_HV_CR3_FROM_GUEST
        mov     %rsp, %rdi
        call    do_syscall
        jmp     exit_to_guest

/* restore_all_guest(regs): regs is this CPU's guest frame.  Leaves by
 * SYSRET when the frame came from SYSCALL and C found that safe. */
        .globl restore_all_guest
restore_all_guest:
        mov     %rdi, %rsp
        mov     CPUINFO_pv_cr3(%rsp), %rdx
        test    %rdx, %rdx
        jz      1f
        COUNT_CR3_LOAD %rsp     /* first: the counters are not in every root */
        mov     %rdx, %cr3
1:      RESTORE_ALL
        testl   $TRAP_syscall_asm, 4(%rsp)
        jz      2f
        mov     8(%rsp), %rcx          /* rip    */
        mov     24(%rsp), %r11         /* rflags */
        mov     32(%rsp), %rsp         /* guest rsp */
        sysretq
2:      add     $8, %rsp
        .globl restore_iret_insn
restore_iret_insn:
        iretq

/* unsigned long raw_copy_guest(void *dst, const void *src, size_t n):
 * bytes NOT copied (a fault in either direction stops the copy).
 * Quadwords first, then the tail bytes. */
        .globl raw_copy_guest
raw_copy_guest:
        mov     %rdx, %rcx
        shr     $3, %rcx
1:      rep movsq
        mov     %edx, %ecx
        and     $7, %ecx
2:      rep movsb
        xor     %eax, %eax
        ret
3:      lea     (,%rcx,8), %rax         /* fault in the quadwords */
        and     $7, %edx
        add     %rdx, %rax
        ret
4:      mov     %rcx, %rax              /* fault in the tail */
        ret
        .section .ex_table, "a"
        .quad   1b, 3b
        .quad   2b, 4b
        .previous

/* void reset_stack_and_call(void *stack, void (*fn)(void)) */
        .globl reset_stack_and_call
reset_stack_and_call:
        mov     %rdi, %rsp
        xor     %ebp, %ebp
        call    *%rsi
        ud2

/* Per-CPU SYSCALL stubs (32 bytes each, NR_CPUS = 8), written at boot by
 * write_syscall_stub() through the directmap alias. */
        .section .text.entry, "ax"
        .align 32
        .globl syscall_stubs
syscall_stubs:
        .fill 32 * 8, 1, 0xcc
