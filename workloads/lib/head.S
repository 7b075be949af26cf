/* Guest entry point, Xen ELF notes, the hypercall page, and the
 * assembly callbacks the guest kernel registers with the hv: the
 * syscall callback (guest-user syscalls) and exception trampolines. */
#define __HYPERVISOR_iret 23

.macro ELFNOTE type, desc
        .section .note.Xen, "a"
        .align 4
        .long 4, 8, \type
        .asciz "Xen"
        .align 4
        .quad \desc
        .previous
.endm
.macro ELFNOTE_STR type, str
        .section .note.Xen, "a"
        .align 4
        .long 4, 2f - 1f, \type
        .asciz "Xen"
        .align 4
1:      .asciz "\str"
2:      .align 4
        .previous
.endm
        /* As Xen's builder reads them (hv/pv/elf_dominfo.c): pfn 0 is at
         * VIRT_BASE (the linker script's __xen_virt_base); no
         * PADDR_OFFSET note, so libelf's default 0: each segment's
         * p_paddr is its offset from VIRT_BASE. */
        ELFNOTE 1, _start              /* XEN_ELFNOTE_ENTRY */
        ELFNOTE 2, hypercall_page      /* XEN_ELFNOTE_HYPERCALL_PAGE */
        ELFNOTE 3, __xen_virt_base     /* XEN_ELFNOTE_VIRT_BASE */
        ELFNOTE_STR 5, "xen-3.0"       /* XEN_ELFNOTE_XEN_VERSION */
        ELFNOTE_STR 6, "asilab"        /* XEN_ELFNOTE_GUEST_OS */
        ELFNOTE_STR 8, "generic"       /* XEN_ELFNOTE_LOADER */

        .section .text.head, "ax"
        .globl _start
_start:
        /* %rsi = start_info, %rsp = the builder's boot stack (its end) */
        mov     %rsp, boot_entry_rsp(%rip)
        lea     boot_stack_top(%rip), %rsp
        mov     %rsi, %rdi
        call    guest_start
        ud2

        .align 4096
        .globl hypercall_page
hypercall_page:
        .fill 4096, 1, 0xcc

/* Syscall callback: the hv left [rcx, r11, rip, cs, rflags, rsp, ss] on
 * the kernel stack.  rax == GUEST_SYSCALL_EXIT returns to the kernel
 * context saved by run_in_user(); anything else is a null syscall. */
        .text
        .globl syscall_callback
syscall_callback:
        pop     %rcx
        pop     %r11
        cmp     $0x7fffffff, %rax
        je      1f
        push    $(1 << 8)               /* VGCF_in_syscall */
        jmp     hypercall_page + __HYPERVISOR_iret * 32
1:      jmp     user_exit_to_kernel

/* run_in_user(fn, arg, user_stack_top): run fn(arg) in guest user mode;
 * returns when the user code makes the exit syscall. */
        .globl run_in_user
run_in_user:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, kernel_saved_rsp(%rip)
        /* iret frame to user: flags, rip, cs, rflags, rsp, ss */
        push    $0xe02b                 /* ss */
        push    %rdx                    /* rsp */
        push    $0x202                  /* rflags: IF */
        push    $0xe033                 /* cs, RPL 3: user mode */
        lea     user_trampoline(%rip), %rax
        push    %rax                    /* rip */
        push    $0                      /* flags */
        mov     %rdi, %r12              /* fn (preserved by iret) */
        mov     %rsi, %r13              /* arg */
        jmp     hypercall_page + __HYPERVISOR_iret * 32

user_trampoline:
        mov     %r13, %rdi
        call    *%r12
        mov     $0x7fffffff, %eax
        syscall
        ud2

user_exit_to_kernel:
        mov     kernel_saved_rsp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret

/* The default event callback: events stay pending for the code that
 * polls them (lib/event.c); return to the interrupted code with events
 * masked again (the frame is rcx, r11, rip, cs, rflags, rsp, ss). */
        .globl guest_event_callback
guest_event_callback:
        pop     %rcx
        pop     %r11
        andq    $~0x200, 16(%rsp)       /* frame rflags: events masked */
        push    $0                      /* flags: back to kernel mode */
        jmp     hypercall_page + __HYPERVISOR_iret * 32

/* Exception trampolines: record the vector (and error code), resume at
 * guest_fault_resume if set, else report the fault and crash. */
.macro TRAP vec, has_err
        .globl trap_\vec
trap_\vec:
        pop     %rcx
        pop     %r11
        .if \has_err
        popq    guest_last_error(%rip)
        .else
        movq    $0, guest_last_error(%rip)
        .endif
        movl    $\vec, guest_last_vector(%rip)
        jmp     trap_common
.endm
        TRAP 0,0
        TRAP 1,0
        TRAP 6,0
        TRAP 7,0
        TRAP 13,1
        TRAP 14,1

trap_common:
        incl    guest_fault_count(%rip)
        push    %rax
        mov     guest_fault_resume(%rip), %rax
        test    %rax, %rax
        jz      2f
        mov     %rax, 8(%rsp)           /* frame rip */
        andq    $~0x100, 24(%rsp)       /* frame rflags: no single-step */
        movq    $0, guest_fault_resume(%rip)
        pop     %rax
        push    $0                      /* flags: back to kernel mode */
        jmp     hypercall_page + __HYPERVISOR_iret * 32
2:      call    guest_unexpected_trap
        ud2

        .bss
        .align 8
kernel_saved_rsp: .quad 0
        .globl boot_entry_rsp
boot_entry_rsp: .quad 0
        .globl guest_fault_resume, guest_last_vector, guest_last_error, guest_fault_count
guest_fault_resume: .quad 0
guest_last_error:   .quad 0
guest_last_vector:  .long 0
guest_fault_count:  .long 0
        .align 16
        .skip 16384
boot_stack_top:
