/* gnttab workload: what main.c (the cases, the measured ops) and
 * random.c (the seeded random calls) share. */
#ifndef GNTTAB_GNTTAB_H
#define GNTTAB_GNTTAB_H
#include "mm.h"
#include "public/grant_table.h"

extern grant_entry_v1_t *gnttab;       /* our table's first two frames, mapped */
extern uint64_t gnttab_mfn[2];
extern uint16_t domid;

/* n random grant_table_op calls from seed (the hv audits after each). */
void gnttab_random(unsigned long n, unsigned long seed);

#endif
