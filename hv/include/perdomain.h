/* The per-domain area (L4 slot 260): per-vCPU GDT/LDT windows and other
 * hv mappings private to a domain (or, per strategy, to a vCPU). */
#ifndef ASILAB_PERDOMAIN_H
#define ASILAB_PERDOMAIN_H
#include "domain.h"

/* Create the intermediate tables for [va, va + nr pages) under v's
 * slot-260 L3: 0 or -XEN_ENOMEM. */
int create_perdomain_mapping(struct vcpu *v, unsigned long va, unsigned int nr);
/* Map mfns[0..nr) at va (read-only, hv only) for v.  With v current the
 * L1 entries are written through the linear (recursive) mapping; for any
 * other vCPU by walking its tables.  No L1 pointer is kept anywhere. */
int populate_perdomain_mapping(struct vcpu *v, unsigned long va,
                               const mfn_t *mfns, unsigned int nr);
/* Unmap nr pages at va for v; returns the mfns that were mapped (0 where
 * nothing was) in mfns if non-NULL. */
void destroy_perdomain_mapping(struct vcpu *v, unsigned long va,
                               unsigned int nr, mfn_t *mfns);

/* What is mapped at va.. for v (0 where nothing), by walking. */
void perdomain_lookup(struct vcpu *v, unsigned long va, unsigned int nr, mfn_t *mfns);

#endif
