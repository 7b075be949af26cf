/* Grant tables (hv/pv/grant_table.c): the hypercall, and what the MMU
 * audit (hv/mm/mm_audit.c) needs to recount the references grant
 * tables hold. */
#ifndef ASILAB_GRANT_TABLE_H
#define ASILAB_GRANT_TABLE_H
#include "domain.h"

long do_grant_table_op(unsigned long cmd, unsigned long uop, unsigned long count,
                       unsigned long a4, unsigned long a5);

/* Frames the hv shares with a domain for its grant table: up to
 * GNTTAB_MAX_SHARED shared (entry) frames, then the v2 status frames.
 * Each is owned by the domain and holds, like shared_info, a permanent
 * writable type reference; frame_table's pfn of slot i is
 * d->nr_pages + 1 + i. */
#define GNTTAB_MAX_FRAMES        64     /* Xen's default max_grant_frames */
#define GNTTAB_MAX_STATUS_FRAMES 8      /* v2 status frames for 64 frames */
#define GNTTAB_AUDIT_SLOTS (GNTTAB_MAX_FRAMES + GNTTAB_MAX_STATUS_FRAMES)
/* The frame in slot i (0: none). */
mfn_t gnttab_shared_frame(const struct domain *d, unsigned int i);
/* Report each reference the grant table holds outside page tables (a
 * device mapping: one reference, plus a writable type reference unless
 * read-only); host mappings' references are those of their L1 entries. */
typedef void gnttab_ref_fn(struct domain *d, mfn_t mfn, bool type);
void gnttab_audit_refs(struct domain *d, gnttab_ref_fn *expect);

#endif
