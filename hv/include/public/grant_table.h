/* Xen's grant table ABI (grant_table_op, hypercall 20), the structures
 * and constants of xen/include/public/grant_table.h at interface version
 * 4.17; values follow Xen's header, the text is our own.  Shared by the
 * hv (hv/pv/grant_table.c) and the guests. */
#ifndef ASILAB_PUBLIC_GRANT_TABLE_H
#define ASILAB_PUBLIC_GRANT_TABLE_H
#include <stdint.h>

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;
typedef uint16_t grant_status_t;

/* A v1 entry: the granting domain writes flags, domid, frame. */
struct grant_entry_v1 {
    uint16_t flags;           /* GTF_* */
    uint16_t domid;           /* the domain being granted access */
    uint32_t frame;           /* the frame (an MFN for a PV granter) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;

#define GNTTAB_NR_RESERVED_ENTRIES 8

#define GTF_invalid          (0U << 0)
#define GTF_permit_access    (1U << 0)
#define GTF_accept_transfer  (2U << 0)
#define GTF_transitive       (3U << 0)
#define GTF_type_mask        (3U << 0)
#define GTF_readonly         (1U << 2)
#define GTF_reading          (1U << 3)
#define GTF_writing          (1U << 4)
#define GTF_PWT              (1U << 5)
#define GTF_PCD              (1U << 6)
#define GTF_PAT              (1U << 7)
#define GTF_sub_page         (1U << 8)

/* A v2 entry (16 bytes); v2 status flags live in separate status frames. */
struct grant_entry_header {
    uint16_t flags;
    uint16_t domid;
};
typedef struct grant_entry_header grant_entry_header_t;
union grant_entry_v2 {
    grant_entry_header_t hdr;
    struct { grant_entry_header_t hdr; uint32_t pad0; uint64_t frame; } full_page;
    struct { grant_entry_header_t hdr; uint16_t page_off, length; uint64_t frame; } sub_page;
    struct { grant_entry_header_t hdr; uint16_t trans_domid, pad0; grant_ref_t gref; } transitive;
    uint32_t __spacer[4];
};
typedef union grant_entry_v2 grant_entry_v2_t;

#define GNTTABOP_map_grant_ref      0
#define GNTTABOP_unmap_grant_ref    1
#define GNTTABOP_setup_table        2
#define GNTTABOP_dump_table         3
#define GNTTABOP_transfer           4
#define GNTTABOP_copy               5
#define GNTTABOP_query_size         6
#define GNTTABOP_unmap_and_replace  7
#define GNTTABOP_set_version        8
#define GNTTABOP_get_status_frames  9
#define GNTTABOP_get_version        10
#define GNTTABOP_swap_grant_ref     11
#define GNTTABOP_cache_flush        12

struct gnttab_map_grant_ref {
    uint64_t host_addr;       /* IN: va, or the PTE's machine address (contains_pte) */
    uint32_t flags;           /* IN: GNTMAP_* */
    grant_ref_t ref;          /* IN */
    uint16_t dom;             /* IN: the granting domain */
    int16_t status;           /* OUT: GNTST_* */
    grant_handle_t handle;    /* OUT */
    uint64_t dev_bus_addr;    /* OUT */
};

struct gnttab_unmap_grant_ref {
    uint64_t host_addr;       /* IN: 0 = leave the host mapping */
    uint64_t dev_bus_addr;    /* IN: 0 = leave the device mapping */
    grant_handle_t handle;    /* IN */
    int16_t status;           /* OUT */
};

struct gnttab_setup_table {
    uint16_t dom;             /* IN */
    uint32_t nr_frames;       /* IN */
    int16_t status;           /* OUT */
    uint64_t frame_list;      /* IN: guest array of nr_frames xen_pfn_t (OUT: MFNs) */
};

struct gnttab_transfer {
    uint64_t mfn;
    uint16_t domid;
    grant_ref_t ref;
    int16_t status;
};

#define GNTCOPY_source_gref (1U << 0)
#define GNTCOPY_dest_gref   (1U << 1)
struct gnttab_copy_ptr {
    union { grant_ref_t ref; uint64_t gmfn; } u;
    uint16_t domid;
    uint16_t offset;
};
struct gnttab_copy {
    struct gnttab_copy_ptr source, dest;   /* IN */
    uint16_t len;             /* IN */
    uint16_t flags;           /* IN: GNTCOPY_* */
    int16_t status;           /* OUT */
};

struct gnttab_query_size {
    uint16_t dom;             /* IN */
    uint32_t nr_frames;       /* OUT */
    uint32_t max_nr_frames;   /* OUT */
    int16_t status;           /* OUT */
};

struct gnttab_unmap_and_replace {
    uint64_t host_addr;       /* IN */
    uint64_t new_addr;        /* IN: its PTE moves to host_addr (0: none) */
    grant_handle_t handle;    /* IN */
    int16_t status;           /* OUT */
};

struct gnttab_set_version { uint32_t version; };   /* IN/OUT */

struct gnttab_get_status_frames {
    uint32_t nr_frames;       /* IN */
    uint16_t dom;             /* IN */
    int16_t status;           /* OUT */
    uint64_t frame_list;      /* IN: guest array of nr_frames uint64_t (OUT: MFNs) */
};

struct gnttab_get_version {
    uint16_t dom;             /* IN */
    uint16_t pad;
    uint32_t version;         /* OUT */
};

struct gnttab_swap_grant_ref {
    grant_ref_t ref_a, ref_b; /* IN */
    int16_t status;           /* OUT */
};

#define GNTTAB_CACHE_CLEAN       (1U << 0)
#define GNTTAB_CACHE_INVAL       (1U << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1U << 31)
struct gnttab_cache_flush {
    union { uint64_t dev_bus_addr; grant_ref_t ref; } a;
    uint16_t offset;
    uint16_t length;
    uint32_t op;
};

#define GNTMAP_device_map       (1U << 0)
#define GNTMAP_host_map         (1U << 1)
#define GNTMAP_readonly         (1U << 2)
#define GNTMAP_application_map  (1U << 3)
#define GNTMAP_contains_pte     (1U << 4)
#define _GNTMAP_guest_avail0    16

#define GNTST_okay              0
#define GNTST_general_error    (-1)
#define GNTST_bad_domain       (-2)
#define GNTST_bad_gntref       (-3)
#define GNTST_bad_handle       (-4)
#define GNTST_bad_virt_addr    (-5)
#define GNTST_bad_dev_addr     (-6)
#define GNTST_no_device_space  (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page         (-9)
#define GNTST_bad_copy_arg    (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain          (-12)
#define GNTST_no_space        (-13)

#endif
