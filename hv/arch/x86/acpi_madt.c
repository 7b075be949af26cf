/* The MADT's processors (Local APIC, type 0; Local x2APIC, type 9) and
 * IO-APICs (type 1), read with Xen's rules (acpi/boot.c):
 *  - an entry shorter than its type's structure, or running past the
 *    table, is malformed (BAD_MADT_ENTRY) and ends the parse;
 *  - with MADT revision 5 or later, an entry neither Enabled nor Online
 *    Capable is skipped; only Enabled ones are brought up;
 *  - APIC ID 0xff (type 0) and 0xffffffff (type 9) are invalid: skipped;
 *  - every type-0 entry is taken before any type-9 one;
 *  - a processor whose APIC ID is already registered is not taken twice
 *    (mp_register_lapic's physid map);
 *  - one whose APIC ID the APIC mode cannot address, or beyond NR_CPUS,
 *    is counted as ignored (Xen: "beyond limit - processor ignored").
 * No hv state: smpboot.c copies the result, tests/unit/test_madt.c
 * checks it on crafted tables. */
#include "acpi_madt.h"

#define MADT_HDR      44     /* ACPI header (36) + LAPIC address + flags */
#define MADT_ENABLED  (1U << 0)
#define MADT_ONLINE_CAPABLE (1U << 1)

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void add_cpu(struct madt_info *m, uint32_t apic, uint32_t uid,
                    uint32_t max_apic_id)
{
    for (unsigned int i = 0; i < m->nr_cpus; i++)
        if (m->apic_id[i] == apic) {
            m->nr_duplicates++;
            return;
        }
    if (apic > max_apic_id || m->nr_cpus >= NR_CPUS) {
        if (!m->nr_ignored++)
            m->first_ignored_apic = apic;
        return;
    }
    m->apic_id[m->nr_cpus] = apic;
    m->acpi_uid[m->nr_cpus++] = uid;
}

/* One pass over the entries for one type; false at a malformed entry. */
static bool parse_pass(const uint8_t *t, size_t len, unsigned int type,
                       uint32_t max_apic_id, struct madt_info *m)
{
    bool rev5 = t[8] >= 5;
    size_t off = MADT_HDR;
    while (off < len) {
        const uint8_t *e = t + off;
        unsigned int need = e[0] == 0 ? 8 : e[0] == 1 ? 12 : e[0] == 9 ? 16 : 2;
        if (len - off < 2 || e[1] < need || e[1] > len - off) {
            m->bad_offset = off;
            return false;
        }
        if (e[0] == type) {
            uint32_t flags = type == 0 ? get32(e + 4) : type == 9 ? get32(e + 8) : 0;
            bool usable = !rev5 || (flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE));
            if (type == 0 && usable && e[3] != 0xff && (flags & MADT_ENABLED))
                add_cpu(m, e[3], e[2], max_apic_id);
            else if (type == 9 && usable && get32(e + 4) != 0xffffffffU &&
                     (flags & MADT_ENABLED))
                add_cpu(m, get32(e + 4), get32(e + 12), max_apic_id);
            else if (type == 1 && m->nr_ioapics < MADT_MAX_IOAPICS)
                m->ioapic_addr[m->nr_ioapics++] = get32(e + 4);
        }
        off += e[1];
    }
    return true;
}

int madt_parse(const void *table, size_t len, uint32_t max_apic_id, struct madt_info *m)
{
    const uint8_t *t = table;
    *m = (struct madt_info){ 0 };
    if (len < MADT_HDR) {
        m->bad_offset = len;
        return -1;
    }
    static const unsigned int order[] = { 0, 9, 1 };
    for (unsigned int i = 0; i < 3; i++)
        if (!parse_pass(t, len, order[i], max_apic_id, m))
            return -1;
    return 0;
}
