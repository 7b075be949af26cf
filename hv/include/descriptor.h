/* Guest GDTs and LDTs: set_gdt, update_descriptor, MMUEXT_SET_LDT with
 * lazily mapped LDT pages, and loading them on context switch. */
#ifndef ASILAB_DESCRIPTOR_H
#define ASILAB_DESCRIPTOR_H
#include "domain.h"

#define GDT_WINDOW_PAGES 16          /* 14 guest pages, the reserved page, 1 spare */
#define LDT_WINDOW_PAGES 16          /* 8192 entries */
#define MAX_LDT_ENTS     8192

int pv_set_ldt(struct vcpu *v, unsigned long base, unsigned int ents);
/* Drop the lazily mapped LDT pages (SET_LDT, new base pointer). */
void invalidate_ldt_mappings(struct vcpu *v);
/* #PF at va: an LDT window page of the current vCPU?  true if handled
 * (mapped, or a fault was delivered to the guest instead). */
bool handle_ldt_fault(struct cpu_user_regs *regs, unsigned long va);
/* Context switch: before the CR3 switch / after it. */
void descriptors_switch_out(const struct vcpu *held, struct vcpu *next);
void descriptors_switch_in(struct vcpu *next);
int descriptors_vcpu_init(struct vcpu *v);
/* The frames mapped in v's LDT window (0 where none), and in the guest
 * part of its GDT window (its frames, the zero page behind them), for
 * the audit. */
void descriptors_ldt_mapped(struct vcpu *v, mfn_t mfns[LDT_WINDOW_PAGES]);
void descriptors_gdt_mapped(struct vcpu *v, mfn_t mfns[14]);
/* The hv's zero page (Xen's zero_page), mapped read-only in every GDT
 * window where the vCPU has no frame. */
mfn_t gdt_zero_mfn(void);

#endif
