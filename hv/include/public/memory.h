/* The memory_op sub-ops asilab implements (Xen's public/memory.h, the
 * 64-bit layouts). */
#ifndef ASILAB_PUBLIC_MEMORY_H
#define ASILAB_PUBLIC_MEMORY_H
#include <stdint.h>

/* cmd bits 0-5: the sub-op; bits 6+: a continuation's start extent. */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1U << MEMOP_EXTENT_SHIFT) - 1)

#define XENMEM_maximum_ram_page     2   /* arg: none; returns max_page      */
#define XENMEM_current_reservation  3   /* arg: struct xen_memory_domain *  */
#define XENMEM_maximum_reservation  4   /* arg: struct xen_memory_domain *  */
#define XENMEM_machphys_mfn_list    5   /* arg: struct xen_machphys_mfn_list * */
#define XENMEM_memory_map           9   /* arg: struct xen_memory_map *     */
#define XENMEM_machine_memory_map  10   /* arg: struct xen_memory_map *     */
#define XENMEM_machphys_mapping    12   /* arg: struct xen_machphys_mapping * */
#define XENMEM_maximum_gpfn        14   /* arg: struct xen_memory_domain *  */

struct xen_memory_domain {
    uint16_t domid;                     /* or DOMID_SELF */
};

struct xen_machphys_mfn_list {
    uint32_t max_extents;               /* IN: size of extent_start[]      */
    uint64_t extent_start;              /* IN: guest array of xen_pfn_t:
                                           the first mfn of each 2 MiB
                                           extent of the M2P            */
    uint32_t nr_extents;                /* OUT */
};

struct xen_machphys_mapping {
    uint64_t v_start, v_end;            /* where the M2P is mapped          */
    uint64_t max_mfn;                   /* the largest mfn it can look up   */
};

struct xen_memory_map {
    uint32_t nr_entries;                /* IN: buffer size; OUT: entries    */
    uint64_t buffer;                    /* guest array of struct e820entry  */
};

/* Xen's INVALID_M2P_ENTRY: the M2P entry of a frame no guest owns. */
#define INVALID_M2P_ENTRY (~0UL)

#endif
