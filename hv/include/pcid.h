/* PCID tags and TLB-flush choices, decided as Xen 4.17 decides them:
 * pure functions of the CPU's features and CR4, used by the hv
 * (hv/arch/x86/flushtlb.c, make_cr3) and host-tested on their own
 * (tests/unit/test_pcid.c).  Xen's names: get_pcid_bits, make_cr3,
 * pv_make_cr4, do_tlb_flush, flush_area_local, switch_cr3_cr4.
 *
 * The PCIDs (xen/arch/x86/include/asm/pv/domain.h): a 64-bit PV domain
 * tags guest kernel mode PCID 0 and guest user mode PCID 1; a domain
 * under XPTI also tags its restricted guest-mode roots, ORing in 2:
 *   hv, guest in kernel mode 0     guest running in kernel mode 2
 *   hv, guest in user mode   1     guest running in user mode   3
 * Every CR3 load of a tagged address space sets bit 63 (no flush): the
 * TLB keeps the entries of each tag across entries, exits and toggles,
 * and write_ptbase (a context switch, a new base pointer) drops every
 * non-global entry with one INVPCID instead. */
#ifndef ASILAB_PCID_H
#define ASILAB_PCID_H
#include <stdbool.h>
#include <stdint.h>

#define X86_CR3_NOFLUSH    (1ULL << 63)
#define X86_CR3_PCID_MASK  0xfffULL
#define PCID_CR4_PGE       (1ULL << 7)     /* X86_CR4_PGE */
#define PCID_CR4_PCIDE     (1ULL << 17)    /* X86_CR4_PCIDE */

#define PCID_PV_PRIV  0x0000    /* guest kernel mode (and the idle tables) */
#define PCID_PV_USER  0x0001    /* guest user mode */
#define PCID_PV_XPTI  0x0002    /* ORed in: a restricted XPTI root */

/* INVPCID types (SDM vol. 2, INVPCID). */
#define INVPCID_ADDR             0   /* one address in one PCID */
#define INVPCID_SINGLE_CTXT      1   /* one PCID */
#define INVPCID_ALL_INCL_GLOBAL  2   /* everything */
#define INVPCID_ALL_NON_GLOBAL   3   /* every PCID, globals kept */

/* Whether this boot tags address spaces: Xen's pv_domain_initialise
 * gives a 64-bit PV domain PCIDs only where the CPU has PCID and Xen
 * uses INVPCID (both needed: its flushes of a tagged TLB are INVPCIDs),
 * and the pcid= policy asks for them (asilab: the +pcid flavour, Xen's
 * default pcid=xpti, for strategies with their own roots).  Asked for
 * on a CPU without them: "unavailable", the image runs untagged and
 * every record says so. */
enum pcid_state { PCID_STATE_OFF, PCID_STATE_ON, PCID_STATE_UNAVAILABLE };

static inline enum pcid_state pcid_choose(bool flavour, bool cpu_pcid, bool use_invpcid)
{
    if (!flavour)
        return PCID_STATE_OFF;
    return cpu_pcid && use_invpcid ? PCID_STATE_ON : PCID_STATE_UNAVAILABLE;
}

static inline const char *pcid_state_name(enum pcid_state s)
{
    return s == PCID_STATE_ON ? "on" : s == PCID_STATE_OFF ? "off" : "unavailable";
}

/* Xen's get_pcid_bits(v, is_xpti): the low CR3 bits (and no-flush) of
 * v's address space in its current guest mode. */
static inline uint64_t pcid_cr3_bits(bool kernel_mode, bool xpti_root)
{
    return X86_CR3_NOFLUSH | (xpti_root ? PCID_PV_XPTI : 0) |
           (kernel_mode ? PCID_PV_PRIV : PCID_PV_USER);
}

/* Xen's make_cr3: the CR3 that loads root (a page-aligned machine
 * address), tagged when PCIDs are on. */
static inline uint64_t pcid_make_cr3(uint64_t root_maddr, bool pcid_on, bool kernel_mode,
                                     bool xpti_root)
{
    return root_maddr | (pcid_on ? pcid_cr3_bits(kernel_mode, xpti_root) : 0);
}

static inline unsigned int cr3_pcid(uint64_t cr3)
{
    return (unsigned int)(cr3 & X86_CR3_PCID_MASK);
}

/* The root's machine address in a CR3 value (tag and no-flush masked). */
static inline uint64_t cr3_root(uint64_t cr3)
{
    return cr3 & ~(X86_CR3_NOFLUSH | X86_CR3_PCID_MASK);
}

/* A CR3 value that flushes the entries of its PCID as it loads. */
static inline uint64_t cr3_flushing(uint64_t cr3)
{
    return cr3 & ~X86_CR3_NOFLUSH;
}

/* Xen's pv_make_cr4, its TLB half: PCIDE or PGE, never both ("it impacts
 * the safety of TLB flushing"): PCIDE with PCIDs; else PGE where the
 * strategy lets the hv's mappings be global (Xen: !xpti &&
 * opt_global_pages); else neither. */
static inline uint64_t pcid_cr4_tlb_bits(bool pcid_on, bool global_pages)
{
    return pcid_on ? PCID_CR4_PCIDE : global_pages ? PCID_CR4_PGE : 0;
}

/* Xen's do_tlb_flush (flush_area_local with FLUSH_TLB or
 * FLUSH_TLB_GLOBAL and no single page): INVPCID "all, globals included"
 * where Xen uses INVPCID, else a PGE toggle where PGE is on (it drops
 * the global entries too), else a CR3 reload. */
enum tlb_flush_how { TLB_FLUSH_INVPCID_ALL, TLB_FLUSH_PGE_TOGGLE, TLB_FLUSH_CR3_RELOAD };

static inline enum tlb_flush_how tlb_flush_how(bool use_invpcid, uint64_t cr4)
{
    if (use_invpcid)
        return TLB_FLUSH_INVPCID_ALL;
    return (cr4 & PCID_CR4_PGE) ? TLB_FLUSH_PGE_TOGGLE : TLB_FLUSH_CR3_RELOAD;
}

/* Xen's flush_area_local for one page: with PCIDE on, INVPCID of the
 * address in every PCID a PV guest may have tagged (two, four when XPTI
 * roots exist), written to pcids[]; their number, 0 meaning INVLPG
 * (without PCIDE it drops the address whatever the tag). */
static inline unsigned int flush_one_pcids(uint64_t cr4, bool xpti_roots, unsigned int pcids[4])
{
    if (!(cr4 & PCID_CR4_PCIDE))
        return 0;
    unsigned int n = 0;
    pcids[n++] = PCID_PV_PRIV;
    pcids[n++] = PCID_PV_USER;
    if (xpti_roots) {
        pcids[n++] = PCID_PV_PRIV | PCID_PV_XPTI;
        pcids[n++] = PCID_PV_USER | PCID_PV_XPTI;
    }
    return n;
}

/* Xen's switch_cr3_cr4 (write_ptbase), for a CR4 that does not change
 * (asilab's TLB bits are fixed at boot): with PCIDE the CR3 write keeps
 * the TLB (the new tag's no-flush bit), so every non-global entry is
 * dropped by INVPCID after it; without, the CR3 write flushes. */
static inline bool ptbase_needs_invpcid(uint64_t cr4)
{
    return cr4 & PCID_CR4_PCIDE;
}

#endif
