/* Xen's public PV ABI, the subset asilab implements (64-bit PV guests):
 * hypercall numbers, mmuext_op, start_info, shared_info, error codes.
 * Values follow Xen's xen/include/public/xen.h; the text is our own. */
#ifndef ASILAB_PUBLIC_XEN_H
#define ASILAB_PUBLIC_XEN_H
#include <stdint.h>
#include "arch-x86_64.h"
#include "errno.h"

#define __HYPERVISOR_set_trap_table        0
#define __HYPERVISOR_mmu_update            1
#define __HYPERVISOR_set_gdt               2
#define __HYPERVISOR_stack_switch          3
#define __HYPERVISOR_set_callbacks         4
#define __HYPERVISOR_fpu_taskswitch        5
#define __HYPERVISOR_set_debugreg          8
#define __HYPERVISOR_get_debugreg          9
#define __HYPERVISOR_update_descriptor    10
#define __HYPERVISOR_memory_op            12
#define __HYPERVISOR_multicall            13
#define __HYPERVISOR_update_va_mapping    14
#define __HYPERVISOR_set_timer_op         15
#define __HYPERVISOR_xen_version          17
#define __HYPERVISOR_console_io           18
#define __HYPERVISOR_grant_table_op       20
#define __HYPERVISOR_vm_assist            21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                 23
#define __HYPERVISOR_vcpu_op              24
#define __HYPERVISOR_set_segment_base     25
#define __HYPERVISOR_mmuext_op            26
#define __HYPERVISOR_sched_op             29
#define __HYPERVISOR_callback_op          30
#define __HYPERVISOR_event_channel_op     32
#define __HYPERVISOR_physdev_op           33
#define __HYPERVISOR_sysctl               35   /* the guests call it on Xen only */
#define __HYPERVISOR_domctl               36   /* the guests call it on Xen only */
#define __HYPERVISOR_arch_7               55
#define NR_HYPERCALLS                     64

/* multicall: one entry (64 bytes); args[5] is unused on x86-64. */
struct multicall_entry {
    unsigned long op, result;
    unsigned long args[6];
};

/* vm_assist */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0
#define VMASST_TYPE_4gb_segments_notify  1
#define VMASST_TYPE_writable_pagetables  2
#define VMASST_TYPE_pae_extended_cr3     3
#define VMASST_TYPE_architectural_iopl   4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict           32

/* console_io */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* set_segment_base */
#define SEGBASE_FS          0
#define SEGBASE_GS_USER     1
#define SEGBASE_GS_KERNEL   2
#define SEGBASE_GS_USER_SEL 3

/* mmuext_op */
#define MMUEXT_PIN_L1_TABLE      0
#define MMUEXT_PIN_L2_TABLE      1
#define MMUEXT_PIN_L3_TABLE      2
#define MMUEXT_PIN_L4_TABLE      3
#define MMUEXT_UNPIN_TABLE       4
#define MMUEXT_NEW_BASEPTR       5
#define MMUEXT_TLB_FLUSH_LOCAL   6
#define MMUEXT_INVLPG_LOCAL      7
#define MMUEXT_TLB_FLUSH_MULTI   8
#define MMUEXT_INVLPG_MULTI      9
#define MMUEXT_TLB_FLUSH_ALL    10
#define MMUEXT_INVLPG_ALL       11
#define MMUEXT_FLUSH_CACHE      12
#define MMUEXT_SET_LDT          13
#define MMUEXT_NEW_USER_BASEPTR 15
#define MMUEXT_CLEAR_PAGE       16
#define MMUEXT_COPY_PAGE        17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER       19
#define MMUEXT_UNMARK_SUPER     20

struct mmuext_op {
    unsigned int cmd;
    union {
        xen_pfn_t mfn;
        unsigned long linear_addr;
    } arg1;
    union {
        unsigned int nr_ents;
        const void *vcpumask;
        xen_pfn_t src_mfn;
    } arg2;
};

#define DOMID_FIRST_RESERVED 0x7ff0U
#define DOMID_SELF 0x7ff0U
#define DOMID_IO   0x7ff1U
#define DOMID_XEN  0x7ff2U

/* The vCPU's slot in shared_info: event delivery state and time. */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t   tsc_shift;
    int8_t   pad1[3];
};

struct vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask;
    unsigned long evtchn_pending_sel;
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};

#define XEN_LEGACY_MAX_VCPUS 32
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    unsigned long evtchn_pending[64];
    unsigned long evtchn_mask[64];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
    struct arch_shared_info arch;
};

/* Handed to the guest kernel in %rsi at its entry point. */
#define MAX_GUEST_CMDLINE 1024
struct start_info {
    char magic[32];             /* "xen-3.0-x86_64" */
    unsigned long nr_pages;
    unsigned long shared_info;  /* machine address */
    uint32_t flags;             /* SIF_* */
    xen_pfn_t store_mfn;
    uint32_t store_evtchn;
    union {
        struct { xen_pfn_t mfn; uint32_t evtchn; } domU;
        struct { uint32_t info_off; uint32_t info_size; } dom0;
    } console;
    unsigned long pt_base;      /* virtual address of the L4 */
    unsigned long nr_pt_frames;
    unsigned long mfn_list;     /* virtual address of the p2m array */
    unsigned long mod_start;
    unsigned long mod_len;
    int8_t cmd_line[MAX_GUEST_CMDLINE];
    unsigned long first_p2m_pfn;
    unsigned long nr_p2m_frames;
};
#define SIF_PRIVILEGED (1 << 0)
#define SIF_INITDOMAIN (1 << 1)

#endif
