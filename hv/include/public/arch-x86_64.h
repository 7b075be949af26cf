/* Xen's x86-64 PV ABI: flat segment selectors, register frame, trap
 * table, vCPU context, iret frame (values from Xen's arch-x86 headers). */
#ifndef ASILAB_PUBLIC_ARCH_X86_64_H
#define ASILAB_PUBLIC_ARCH_X86_64_H
#include <stdint.h>

typedef unsigned long xen_pfn_t;

/* Where every 64-bit PV guest finds the read-only machine-to-phys table
 * (Xen's MACH2PHYS_VIRT_START/END: L4 slot 256). */
#define MACH2PHYS_VIRT_START 0xffff800000000000UL
#define MACH2PHYS_VIRT_END   0xffff804000000000UL

#define FLAT_RING3_CS32 0xe023
#define FLAT_RING3_DS32 0xe02b
#define FLAT_RING3_CS64 0xe033
#define FLAT_RING3_DS64 0x0000
#define FLAT_RING3_SS32 0xe02b
#define FLAT_RING3_SS64 0xe02b
#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_USER_CS64   FLAT_RING3_CS64
#define FLAT_USER_SS64   FLAT_RING3_SS64
#define FLAT_KERNEL_CS   FLAT_KERNEL_CS64
#define FLAT_KERNEL_SS   FLAT_KERNEL_SS64

/* Guest-visible register frame; also the hv's own exception frame. */
struct cpu_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry_vector;
    uint64_t rip;
    uint16_t cs, _pad0[1];
    uint8_t  saved_upcall_mask;
    uint8_t  _pad1[3];
    uint64_t rflags;
    uint64_t rsp;
    uint16_t ss, _pad2[3];
    uint16_t es, _pad3[3];
    uint16_t ds, _pad4[3];
    uint16_t fs, _pad5[3];
    uint16_t gs, _pad6[3];
};

/* set_trap_table: one entry per vector, terminated by address 0. */
struct trap_info {
    uint8_t  vector;
    uint8_t  flags;    /* 0-3: privilege level; 4: clear event enable */
    uint16_t cs;
    unsigned long address;
};
#define TI_GET_DPL(t) ((t)->flags & 3)
#define TI_GET_IF(t)  ((t)->flags & 4)

/* HYPERVISOR_iret frame, as the hypercall page's iret entry leaves it. */
struct iret_context {
    uint64_t rax, r11, rcx, flags, rip, cs, rflags, rsp, ss;
};
#define VGCF_in_syscall (1 << 8)

struct arch_vcpu_info {
    unsigned long cr2;
    unsigned long pad;
};

struct arch_shared_info {
    unsigned long max_pfn;
    xen_pfn_t pfn_to_mfn_frame_list_list;
    unsigned long nmi_reason;
    uint64_t pad[32];
};

#define VGCF_I387_VALID                (1 << 0)
#define VGCF_in_kernel                 (1 << 2)
#define VGCF_failsafe_disables_events  (1 << 3)
#define VGCF_syscall_disables_events   (1 << 4)
#define VGCF_online                    (1 << 5)

struct vcpu_guest_context {
    struct { char x[512]; } fpu_ctxt;
    unsigned long flags;
    struct cpu_user_regs user_regs;
    struct trap_info trap_ctxt[256];
    unsigned long ldt_base, ldt_ents;
    unsigned long gdt_frames[16], gdt_ents;
    unsigned long kernel_ss, kernel_sp;
    unsigned long ctrlreg[8];
    unsigned long debugreg[8];
    unsigned long event_callback_eip;
    unsigned long failsafe_callback_eip;
    unsigned long syscall_callback_eip;
    unsigned long vm_assist;
    uint64_t fs_base;
    uint64_t gs_base_kernel;
    uint64_t gs_base_user;
};
#define xen_cr3_to_pfn(cr3) ((unsigned long)(cr3) >> 12)
#define xen_pfn_to_cr3(pfn) ((unsigned long)(pfn) << 12)

#endif
