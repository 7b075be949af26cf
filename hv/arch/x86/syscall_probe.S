/* The boot-time SYSCALL probe's two halves (hv/lab/platform.c): drop to
 * ring 3 at a page that holds only `syscall`, and the LSTAR target that
 * SYSCALL must reach at CPL 0.  A sound CPU (native, KVM with VT-x/AMD-V,
 * QEMU TCG) comes back here with the CPL the entry saw (0); a host that
 * leaves CPL at 3 after SYSCALL (seen with the kvm_pvm backend) faults
 * fetching the supervisor-only entry instead, and do_trap reports it. */
        .text
        .code64

/* unsigned long syscall_probe_run(unsigned long user_rip):
 * returns %cs & 3 as seen on arrival at syscall_probe_entry. */
        .globl syscall_probe_run
syscall_probe_run:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, syscall_probe_rsp(%rip)
        pushq   $0xe02b                 /* FLAT_RING3_SS64 */
        pushq   %rsp                    /* ring 3 never touches its stack */
        pushq   $0x2                    /* RFLAGS: IF clear */
        pushq   $0xe033                 /* FLAT_RING3_CS64 */
        pushq   %rdi
        iretq

        .globl syscall_probe_entry
syscall_probe_entry:
        mov     %cs, %eax
        and     $3, %eax
        mov     syscall_probe_rsp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret

        .data
        .balign 8
syscall_probe_rsp:
        .quad   0
