/* The PV MMU's invariant check (hv/mm/mm_audit.c). */
#ifndef ASILAB_MM_AUDIT_H
#define ASILAB_MM_AUDIT_H
#include "domain.h"

/* Violations found in d's frames right now (0 = all invariants hold). */
unsigned int audit_domain(struct domain *d);

#endif
