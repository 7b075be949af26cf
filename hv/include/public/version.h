/* xen_version and the feature bits (Xen's public/version.h and
 * public/features.h values). */
#ifndef ASILAB_PUBLIC_VERSION_H
#define ASILAB_PUBLIC_VERSION_H
#include <stdint.h>

#define XENVER_version      0
#define XENVER_extraversion 1
typedef char xen_extraversion_t[16];
#define XENVER_compile_info 2
struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
#define XENVER_capabilities 3
typedef char xen_capabilities_info_t[1024];
#define XENVER_changeset 4
typedef char xen_changeset_info_t[64];
#define XENVER_platform_parameters 5
struct xen_platform_parameters {
    unsigned long virt_start;
};
#define XENVER_get_features 6
struct xen_feature_info {
    unsigned int submap_idx;    /* in: which 32-bit submap */
    uint32_t submap;            /* out */
};
#define XENVER_pagesize 7
#define XENVER_guest_handle 8
typedef uint8_t xen_domain_handle_t[16];
#define XENVER_commandline 9
typedef char xen_commandline_t[1024];
#define XENVER_build_id 10
struct xen_build_id {
    uint32_t len;               /* in: size of buf[] */
    unsigned char buf[];        /* out */
};

/* XENVER_get_features submap 0 (public/features.h) */
#define XENFEAT_writable_page_tables        0
#define XENFEAT_writable_descriptor_tables  1
#define XENFEAT_auto_translated_physmap     2
#define XENFEAT_supervisor_mode_kernel      3
#define XENFEAT_pae_pgdir_above_4gb         4
#define XENFEAT_mmu_pt_update_preserve_ad   5
#define XENFEAT_highmem_assist              6
#define XENFEAT_gnttab_map_avail_bits       7
#define XENFEAT_dom0                       11
#define XENFEAT_memory_op_vnode_supported  13
#define XENFEAT_not_direct_mapped          16
#define XENFEAT_direct_mapped              17

/* Where Xen's part of a 64-bit PV guest's address space starts. */
#define HYPERVISOR_VIRT_START 0xffff800000000000UL
#endif
