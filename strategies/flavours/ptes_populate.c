/* The per-domain PTE method of the ASI series (v2 patch 04), the default:
 * v's GDT/LDT window entries are written with
 * populate_perdomain_mapping / destroy_perdomain_mapping, no L1 pointer
 * kept: through the linear (recursive) mapping when v is live on this
 * pCPU, else by walking v's slot-260 tables (what the context switch's
 * update_xen_slot_in_full_gdt takes: the next vCPU is not live yet). */
#include "perdomain.h"

int gdt_ldt_ptes_init(struct vcpu *v)
{
    return create_perdomain_mapping(v, GDT_VIRT_START(v->vcpu_id), GDT_LDT_WINDOW_PAGES);
}

void gdt_ldt_ptes_set(struct vcpu *v, unsigned int page, const mfn_t *mfns, unsigned int nr)
{
    /* The window's tables exist (gdt_ldt_ptes_init): nothing to allocate. */
    populate_perdomain_mapping(v, GDT_VIRT_START(v->vcpu_id) + page * PAGE_SIZE, mfns, nr);
}

void gdt_ldt_ptes_clear(struct vcpu *v, unsigned int page, unsigned int nr, mfn_t *old)
{
    destroy_perdomain_mapping(v, GDT_VIRT_START(v->vcpu_id) + page * PAGE_SIZE, nr, old);
}
