/* The hypervisor's virtual memory layout, with Xen's numbers: L4 slots
 * 0-255 and 272-511 belong to the 64-bit PV guest, 256-271 to the hv. */
#ifndef ASILAB_LAYOUT_H
#define ASILAB_LAYOUT_H

#include "public/arch-x86_64.h"

#define L4_SLOT_VA(s) (0xffff000000000000UL | ((unsigned long)(s) << 39))

#define HV_FIRST_SLOT        256
#define HV_LAST_SLOT         271
#define RO_MPT_SLOT          256   /* read-only M2P, guest-readable      */
#define LINEAR_PT_SLOT       258   /* recursive mapping of the live L4   */
#define PERDOMAIN_SLOT       260   /* GDT/LDT windows, mapcache           */
#define HV_TEXT_SLOT         261   /* hv image, entry stubs               */
#define DIRECTMAP_FIRST_SLOT 262   /* all RAM, 262..271                   */
#define DIRECTMAP_LAST_SLOT  271

/* Xen's RO_MPT_VIRT_START: the machine-to-phys table, one unsigned long
 * per machine frame, mapped read-only and user-accessible into every
 * guest's address space (slot 256, first 256 GiB; Xen's
 * MACH2PHYS_VIRT_START/END). */
#define RO_MPT_VIRT_START    MACH2PHYS_VIRT_START
#define RO_MPT_VIRT_END      MACH2PHYS_VIRT_END
#define LINEAR_PT_VIRT_START 0xffff810000000000UL
#define PERDOMAIN_VIRT_START 0xffff820000000000UL
#define HV_VIRT_START        0xffff82d040000000UL
#define DIRECTMAP_VIRT_START 0xffff830000000000UL
#define DIRECTMAP_VIRT_END   0xffff880000000000UL

/* Per-domain area (slot 260): one 64 KiB GDT/LDT window per vCPU, as
 * Xen's GDT_LDT_VIRT_START: GDT at the window's base, LDT 64 KiB above. */
#define GDT_LDT_VCPU_SHIFT   17
#define GDT_VIRT_START(vid)  (PERDOMAIN_VIRT_START + \
                              ((unsigned long)(vid) << GDT_LDT_VCPU_SHIFT))
#define LDT_VIRT_START(vid)  (GDT_VIRT_START(vid) + (1UL << 16))

/* The hv image is linked at HV_VIRT_START + its physical address. */
#define HV_LOAD_PHYS         0x100000UL

/* Guest virtual addresses: lower canonical half and slots 272-511. */
#define GUEST_LOW_END        0x0000800000000000UL
#define GUEST_HIGH_START     0xffff880000000000UL

#endif
