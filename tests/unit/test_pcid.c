/* Host unit tests of the PCID and TLB-flush choices (hv/include/pcid.h),
 * against Xen 4.17's get_pcid_bits, make_cr3, pv_make_cr4, do_tlb_flush,
 * flush_area_local and switch_cr3_cr4.
 *
 * Proves: PCIDs are used only when the flavour asks and the CPU has both
 * PCID and INVPCID ("unavailable" when it lacks either, "off" without
 * the flavour); the four PCIDs of an XPTI domain are Xen's (hv with the
 * guest in kernel/user mode 0/1, guest running in kernel/user mode 2/3),
 * every tagged CR3 has the no-flush bit and keeps the root's address;
 * CR4 never gets PCIDE and PGE together; a full flush is INVPCID
 * whenever INVPCID is in use, else a PGE toggle with PGE, else a CR3
 * reload; a one-page flush covers exactly the PCIDs a guest can have
 * tagged (two, four with XPTI roots) and is INVLPG without PCIDE;
 * write_ptbase flushes by INVPCID exactly when PCIDE is on.
 *
 * And, on a model of a tagged TLB driven the way per_pcpu_l4 drives the
 * real one (toggles, context switches between two vCPUs with separate
 * kernel and user L4s, entries and exits through a per-pCPU restricted
 * root recopied when stale, guest L4 changes with FLUSH_TLB): with these
 * choices no access ever hits a stale translation, and guest mode never
 * hits an hv-only one; with PCIDs off likewise.  Two broken schemes are
 * caught by the same model (its negative controls): one PCID for kernel
 * and user mode (stale entries after a no-flush toggle), and no XPTI tag
 * (the hv's entries leak into guest mode). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "pcid.h"
#include "unit.h"

static void test_choose(void)
{
    for (int f = 0; f < 2; f++)
        for (int p = 0; p < 2; p++)
            for (int i = 0; i < 2; i++) {
                enum pcid_state s = pcid_choose(f, p, i);
                CHECK_EQ(s, !f ? PCID_STATE_OFF : (p && i) ? PCID_STATE_ON
                                                          : PCID_STATE_UNAVAILABLE);
            }
    CHECK(!strcmp(pcid_state_name(PCID_STATE_ON), "on"));
    CHECK(!strcmp(pcid_state_name(PCID_STATE_OFF), "off"));
    CHECK(!strcmp(pcid_state_name(PCID_STATE_UNAVAILABLE), "unavailable"));
}

static void test_encoding(void)
{
    /* Xen's table (asm/pv/domain.h). */
    CHECK_EQ(pcid_cr3_bits(true, false), X86_CR3_NOFLUSH | 0);
    CHECK_EQ(pcid_cr3_bits(false, false), X86_CR3_NOFLUSH | 1);
    CHECK_EQ(pcid_cr3_bits(true, true), X86_CR3_NOFLUSH | 2);
    CHECK_EQ(pcid_cr3_bits(false, true), X86_CR3_NOFLUSH | 3);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 1000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t root = x & 0x000ffffffffff000ULL;
        for (int k = 0; k < 2; k++)
            for (int t = 0; t < 2; t++) {
                CHECK_EQ(pcid_make_cr3(root, false, k, t), root);
                uint64_t c = pcid_make_cr3(root, true, k, t);
                CHECK_EQ(cr3_root(c), root);
                CHECK_EQ(cr3_pcid(c), (t ? PCID_PV_XPTI : 0) | (k ? 0 : PCID_PV_USER));
                CHECK(c & X86_CR3_NOFLUSH);
                CHECK_EQ(cr3_flushing(c), c & ~X86_CR3_NOFLUSH);
                CHECK_EQ(cr3_pcid(cr3_flushing(c)), cr3_pcid(c));
            }
    }
}

static void test_cr4(void)
{
    CHECK_EQ(pcid_cr4_tlb_bits(true, true), PCID_CR4_PCIDE);
    CHECK_EQ(pcid_cr4_tlb_bits(true, false), PCID_CR4_PCIDE);
    CHECK_EQ(pcid_cr4_tlb_bits(false, true), PCID_CR4_PGE);
    CHECK_EQ(pcid_cr4_tlb_bits(false, false), 0);
    for (int p = 0; p < 2; p++)
        for (int g = 0; g < 2; g++) {
            uint64_t b = pcid_cr4_tlb_bits(p, g);
            CHECK((b & (PCID_CR4_PCIDE | PCID_CR4_PGE)) != (PCID_CR4_PCIDE | PCID_CR4_PGE));
            CHECK_EQ(ptbase_needs_invpcid(b), p);
        }
}

static void test_flush_how(void)
{
    const uint64_t cr4s[] = { 0, PCID_CR4_PGE, PCID_CR4_PCIDE, 0x6f0, 0x6f0 | PCID_CR4_PGE };
    for (size_t i = 0; i < sizeof cr4s / sizeof *cr4s; i++) {
        CHECK_EQ(tlb_flush_how(true, cr4s[i]), TLB_FLUSH_INVPCID_ALL);
        CHECK_EQ(tlb_flush_how(false, cr4s[i]),
                 (cr4s[i] & PCID_CR4_PGE) ? TLB_FLUSH_PGE_TOGGLE : TLB_FLUSH_CR3_RELOAD);
    }
    unsigned int p[4];
    CHECK_EQ(flush_one_pcids(PCID_CR4_PGE, true, p), 0);
    CHECK_EQ(flush_one_pcids(0, false, p), 0);
    REQUIRE(flush_one_pcids(PCID_CR4_PCIDE, false, p) == 2);
    CHECK_EQ(p[0], 0);
    CHECK_EQ(p[1], 1);
    REQUIRE(flush_one_pcids(PCID_CR4_PCIDE, true, p) == 4);
    for (unsigned int i = 0; i < 4; i++)
        CHECK_EQ(p[i], i);
    /* Every PCID a tagged CR3 can carry is in the one-page list. */
    for (int xpti = 0; xpti < 2; xpti++) {
        unsigned int n = flush_one_pcids(PCID_CR4_PCIDE, xpti, p);
        for (int k = 0; k < 2; k++)
            for (int t = 0; t <= xpti; t++) {
                unsigned int id = cr3_pcid(pcid_cr3_bits(k, t)), found = 0;
                for (unsigned int i = 0; i < n; i++)
                    found += p[i] == id;
                CHECK_EQ(found, 1);
            }
    }
}

/* ---- a tagged TLB under per_pcpu_l4's sequence of CR3 loads ---- */

#define NVP   12          /* virtual pages; 10 and 11 are the hv's only */
#define NL4   4           /* vCPU a kernel, a user, b kernel, b user */
#define ROOT  NL4         /* "address space" id of the restricted root */
#define NTLB  64

enum broken { SOUND, ONE_PCID_PER_MODE, NO_XPTI_TAG };

struct model {
    int l4[NL4][NVP];               /* vpage -> ppage, -1: not mapped */
    int root[NVP];                  /* the restricted root's copy */
    struct { int pcid, vp, pp; bool valid; } tlb[NTLB];
    int cur_space;                  /* the address space CR3 holds */
    unsigned int cur_pcid;
    bool pcide, in_guest, kernel, root_changed;
    int vcpu;
    enum broken broken;
    unsigned long stale, leaks, hits;
};

static uint64_t cr3_of(struct model *m, int space, bool xpti)
{
    bool on = m->pcide;
    uint64_t c = pcid_make_cr3((uint64_t)(space + 1) << 12, on,
                               m->broken == ONE_PCID_PER_MODE ? true : m->kernel,
                               m->broken == NO_XPTI_TAG ? false : xpti);
    return c;
}

static void tlb_drop(struct model *m, int pcid)   /* -1: every PCID */
{
    for (int i = 0; i < NTLB; i++)
        if (pcid < 0 || m->tlb[i].pcid == pcid)
            m->tlb[i].valid = false;
}

static void load_cr3(struct model *m, uint64_t cr3)
{
    m->cur_space = (int)(cr3_root(cr3) >> 12) - 1;
    m->cur_pcid = m->pcide ? cr3_pcid(cr3) : 0;
    if (!m->pcide)
        tlb_drop(m, -1);                /* no PCIDE: every load flushes */
    else if (!(cr3 & X86_CR3_NOFLUSH))
        tlb_drop(m, (int)m->cur_pcid);  /* flushes its own PCID */
}

static int walk(const struct model *m, int vp)
{
    return m->cur_space == ROOT ? m->root[vp] : m->l4[m->cur_space][vp];
}

static void access_vp(struct model *m, int vp)
{
    int want = walk(m, vp);
    for (int i = 0; i < NTLB; i++)
        if (m->tlb[i].valid && m->tlb[i].pcid == (int)m->cur_pcid && m->tlb[i].vp == vp) {
            m->hits++;
            if (m->tlb[i].pp != want) {
                if (want < 0 && vp >= 10)
                    m->leaks++;         /* an hv page seen from guest mode */
                else
                    m->stale++;
            }
            return;
        }
    if (want < 0)
        return;                         /* a fault: nothing cached */
    int slot = (int)(unit_rng() % NTLB);
    m->tlb[slot].valid = true;
    m->tlb[slot].pcid = (int)m->cur_pcid;
    m->tlb[slot].vp = vp;
    m->tlb[slot].pp = want;
}

static int cur_l4(const struct model *m)
{
    return m->vcpu * 2 + (m->kernel ? 0 : 1);
}

/* flush_local(FLUSH_TLB): do_tlb_flush as tlb_flush_how says. */
static void full_flush(struct model *m, bool use_invpcid)
{
    uint64_t cr4 = m->pcide ? PCID_CR4_PCIDE : 0;
    switch (tlb_flush_how(use_invpcid, cr4)) {
    case TLB_FLUSH_INVPCID_ALL:
    case TLB_FLUSH_PGE_TOGGLE:
        tlb_drop(m, -1);
        break;
    case TLB_FLUSH_CR3_RELOAD:
        load_cr3(m, cr3_flushing(m->cur_space == ROOT ? cr3_of(m, ROOT, true)
                                                      : cr3_of(m, m->cur_space, false)));
        break;
    }
}

static void run_model(struct model *m, bool pcid_on, enum broken broken, int steps)
{
    memset(m, 0, sizeof *m);
    m->pcide = pcid_on;
    m->broken = broken;
    m->kernel = true;
    int pp = 100;
    for (int s = 0; s < NL4; s++)
        for (int vp = 0; vp < NVP; vp++)
            m->l4[s][vp] = pp++;        /* every L4 maps the hv pages too */
    for (int vp = 0; vp < NVP; vp++)
        m->root[vp] = -1;
    load_cr3(m, cr3_of(m, cur_l4(m), false));
    m->root_changed = true;
    for (int i = 0; i < steps; i++) {
        unsigned int op = unit_rng() % 8;
        if (m->in_guest) {
            if (op < 5) {
                access_vp(m, (int)(unit_rng() % NVP));
            } else {                    /* entry: xen_cr3 */
                m->in_guest = false;
                load_cr3(m, cr3_of(m, cur_l4(m), false));
            }
            continue;
        }
        switch (op) {
        case 0: case 1:
            access_vp(m, (int)(unit_rng() % NVP));
            break;
        case 2:                         /* toggle_guest_mode: no flush */
            m->kernel = !m->kernel;
            load_cr3(m, cr3_of(m, cur_l4(m), false));
            m->root_changed = true;
            break;
        case 3:                         /* context switch: write_ptbase */
            m->vcpu ^= 1;
            m->kernel = unit_rng() & 1;
            load_cr3(m, cr3_of(m, cur_l4(m), false));
            m->root_changed = true;
            if (ptbase_needs_invpcid(m->pcide ? PCID_CR4_PCIDE : 0))
                tlb_drop(m, -1);        /* INVPCID all non-global */
            break;
        case 4: {                       /* a guest L4 entry changes */
            int s = (int)(unit_rng() % NL4), vp = (int)(unit_rng() % 10);
            m->l4[s][vp] = (unit_rng() & 3) ? pp++ : -1;
            m->root_changed = true;     /* FLUSH_ROOT_PGTBL */
            full_flush(m, pcid_on);     /* pcid on implies INVPCID in use */
            break;
        }
        default:                        /* exit: restore_all_guest */
            if (m->root_changed) {
                for (int vp = 0; vp < NVP; vp++)
                    m->root[vp] = vp < 10 ? m->l4[cur_l4(m)][vp] : -1;
                m->root_changed = false;
            }
            load_cr3(m, cr3_of(m, ROOT, true));
            m->in_guest = true;
            break;
        }
    }
}

static void test_tlb_model(void)
{
    struct model m;
    for (int on = 0; on < 2; on++) {
        run_model(&m, on, SOUND, 200000);
        CHECK_EQ(m.stale, 0);
        CHECK_EQ(m.leaks, 0);
        CHECK(m.hits > 1000);           /* the TLB was exercised */
    }
    run_model(&m, true, ONE_PCID_PER_MODE, 200000);
    CHECK(m.stale > 0);                 /* the control fails as it must */
    run_model(&m, true, NO_XPTI_TAG, 200000);
    CHECK(m.leaks > 0);
}

int main(void)
{
    RUN(test_choose);
    RUN(test_encoding);
    RUN(test_cr4);
    RUN(test_flush_how);
    RUN(test_tlb_model);
    return unit_summary();
}
