/* Host unit tests of madt_parse (hv/arch/x86/acpi_madt.c) on MADTs built
 * in memory.  Proves Xen's reading of the table: Local APIC (type 0)
 * entries before Local x2APIC (type 9) ones whatever their order in the
 * table; only Enabled processors taken, and with MADT revision 5 an
 * entry neither Enabled nor Online Capable skipped without counting;
 * APIC IDs 0xff / 0xffffffff invalid; an APIC ID seen again taken once;
 * an x2APIC ID the xAPIC cannot address (or one beyond NR_CPUS) counted
 * as ignored, not taken; ACPI processor UIDs carried with their CPU;
 * IO-APIC addresses; and a malformed entry (zero length, shorter than its
 * type, running past the table) stops the parse with its offset, never
 * reading beyond the table (run under ASan: the table is a heap copy of
 * exactly its length). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "acpi_madt.h"
#include "unit.h"

#define XAPIC_MAX  0xfeU
#define X2APIC_MAX 0xfffffffeU

static uint8_t tbl[1024];
static size_t tlen;

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void start(uint8_t rev)
{
    memset(tbl, 0, sizeof(tbl));
    memcpy(tbl, "APIC", 4);
    tbl[8] = rev;
    put32(tbl + 36, 0xfee00000U);     /* LAPIC address */
    put32(tbl + 40, 1);               /* PCAT_COMPAT */
    tlen = 44;
}

static void lapic(uint8_t uid, uint8_t apic, uint32_t flags)
{
    uint8_t *e = tbl + tlen;
    e[0] = 0; e[1] = 8; e[2] = uid; e[3] = apic;
    put32(e + 4, flags);
    tlen += 8;
}

static void x2apic(uint32_t apic, uint32_t flags, uint32_t uid)
{
    uint8_t *e = tbl + tlen;
    e[0] = 9; e[1] = 16;
    put32(e + 4, apic);
    put32(e + 8, flags);
    put32(e + 12, uid);
    tlen += 16;
}

static void ioapic(uint8_t id, uint32_t addr)
{
    uint8_t *e = tbl + tlen;
    e[0] = 1; e[1] = 12; e[2] = id;
    put32(e + 4, addr);
    tlen += 12;
}

static void raw(uint8_t type, uint8_t len)
{
    tbl[tlen] = type;
    tbl[tlen + 1] = len;
    tlen += len ? len : 2;
}

/* Parse a heap copy of exactly tlen bytes, so ASan sees any overrun. */
static int parse(uint32_t max_apic_id, struct madt_info *m)
{
    uint8_t *copy = malloc(tlen);
    REQUIRE(copy);
    memcpy(copy, tbl, tlen);
    memset(m, 0xa5, sizeof(*m));      /* madt_parse must clear it all */
    int rc = madt_parse(copy, tlen, max_apic_id, m);
    free(copy);
    return rc;
}

static void test_lapic_only(void)
{
    struct madt_info m;
    start(3);
    lapic(0, 0, 1);
    lapic(1, 2, 1);
    lapic(2, 4, 0);                   /* disabled: not taken */
    lapic(3, 6, 1);
    CHECK_EQ(parse(XAPIC_MAX, &m), 0);
    CHECK_EQ(m.nr_cpus, 3);
    CHECK_EQ(m.apic_id[0], 0); CHECK_EQ(m.acpi_uid[0], 0);
    CHECK_EQ(m.apic_id[1], 2); CHECK_EQ(m.acpi_uid[1], 1);
    CHECK_EQ(m.apic_id[2], 6); CHECK_EQ(m.acpi_uid[2], 3);
    CHECK_EQ(m.nr_ignored, 0);
    CHECK_EQ(m.nr_duplicates, 0);
    CHECK_EQ(m.nr_ioapics, 0);
    CHECK_EQ(m.bad_offset, 0);
}

static void test_x2apic_only(void)
{
    struct madt_info m;
    start(4);
    x2apic(0, 1, 10);
    x2apic(1, 1, 11);
    x2apic(0xffffffffU, 1, 12);       /* invalid ID */
    CHECK_EQ(parse(XAPIC_MAX, &m), 0);
    CHECK_EQ(m.nr_cpus, 2);
    CHECK_EQ(m.apic_id[0], 0); CHECK_EQ(m.acpi_uid[0], 10);
    CHECK_EQ(m.apic_id[1], 1); CHECK_EQ(m.acpi_uid[1], 11);
    CHECK_EQ(m.nr_ignored, 0);
}

/* Type 9 entries first in the table, type 0 after: Xen's two passes
 * register the type-0 processors first, and an ID in both is one CPU. */
static void test_order_and_duplicates(void)
{
    struct madt_info m;
    start(4);
    x2apic(3, 1, 33);
    x2apic(1, 1, 99);                 /* same APIC as the LAPIC entry */
    lapic(0, 0, 1);
    lapic(1, 1, 1);
    lapic(1, 1, 1);                   /* repeated */
    ioapic(0, 0xfec00000U);
    CHECK_EQ(parse(XAPIC_MAX, &m), 0);
    CHECK_EQ(m.nr_cpus, 3);
    CHECK_EQ(m.apic_id[0], 0);
    CHECK_EQ(m.apic_id[1], 1); CHECK_EQ(m.acpi_uid[1], 1);   /* type 0's */
    CHECK_EQ(m.apic_id[2], 3); CHECK_EQ(m.acpi_uid[2], 33);
    CHECK_EQ(m.nr_duplicates, 2);
    CHECK_EQ(m.nr_ioapics, 1);
    CHECK_EQ(m.ioapic_addr[0], 0xfec00000U);
}

static void test_invalid_lapic_id(void)
{
    struct madt_info m;
    start(3);
    lapic(0, 0, 1);
    lapic(1, 0xff, 1);                /* 0xff: the xAPIC broadcast */
    CHECK_EQ(parse(XAPIC_MAX, &m), 0);
    CHECK_EQ(m.nr_cpus, 1);
    CHECK_EQ(m.nr_ignored, 0);
}

/* Online Capable (bit 1) means something from revision 5 on: a
 * hot-pluggable processor, not brought up, and nothing counted.  Below
 * revision 5 bit 1 is reserved and only Enabled matters either way. */
static void test_online_capable(void)
{
    struct madt_info m;
    for (uint8_t rev = 4; rev <= 5; rev++) {
        start(rev);
        lapic(0, 0, 1);
        lapic(1, 1, 2);               /* online capable, not enabled */
        x2apic(2, 2, 2);
        x2apic(3, 3, 3);              /* enabled (and online capable) */
        CHECK_EQ(parse(XAPIC_MAX, &m), 0);
        CHECK_EQ(m.nr_cpus, 2);
        CHECK_EQ(m.apic_id[0], 0);
        CHECK_EQ(m.apic_id[1], 3);
        CHECK_EQ(m.nr_ignored, 0);
    }
}

/* An x2APIC ID above 0xfe: out of an xAPIC's reach (ignored, counted,
 * the first one named); taken when the APIC is in x2APIC mode. */
static void test_x2apic_reach(void)
{
    struct madt_info m;
    start(4);
    x2apic(0, 1, 0);
    x2apic(0x100, 1, 1);
    x2apic(0x1234, 1, 2);
    CHECK_EQ(parse(XAPIC_MAX, &m), 0);
    CHECK_EQ(m.nr_cpus, 1);
    CHECK_EQ(m.nr_ignored, 2);
    CHECK_EQ(m.first_ignored_apic, 0x100);
    CHECK_EQ(parse(X2APIC_MAX, &m), 0);
    CHECK_EQ(m.nr_cpus, 3);
    CHECK_EQ(m.apic_id[1], 0x100);
    CHECK_EQ(m.apic_id[2], 0x1234); CHECK_EQ(m.acpi_uid[2], 2);
    CHECK_EQ(m.nr_ignored, 0);
}

static void test_beyond_nr_cpus(void)
{
    struct madt_info m;
    start(3);
    for (unsigned int i = 0; i < NR_CPUS + 3; i++)
        lapic((uint8_t)i, (uint8_t)(2 * i), 1);
    CHECK_EQ(parse(XAPIC_MAX, &m), 0);
    CHECK_EQ(m.nr_cpus, NR_CPUS);
    CHECK_EQ(m.apic_id[NR_CPUS - 1], 2 * (NR_CPUS - 1));
    CHECK_EQ(m.nr_ignored, 3);
    CHECK_EQ(m.first_ignored_apic, 2 * NR_CPUS);
}

static void test_ioapics(void)
{
    struct madt_info m;
    start(3);
    lapic(0, 0, 1);
    for (unsigned int i = 0; i < MADT_MAX_IOAPICS + 2; i++)
        ioapic((uint8_t)i, 0xfec00000U + 0x1000U * i);
    CHECK_EQ(parse(XAPIC_MAX, &m), 0);
    CHECK_EQ(m.nr_ioapics, MADT_MAX_IOAPICS);
    CHECK_EQ(m.ioapic_addr[MADT_MAX_IOAPICS - 1],
             0xfec00000U + 0x1000U * (MADT_MAX_IOAPICS - 1));
}

/* Other entry types (NMI sources, overrides, ...) are stepped over. */
static void test_other_types(void)
{
    struct madt_info m;
    start(3);
    raw(2, 10);                       /* interrupt source override */
    lapic(0, 0, 1);
    raw(4, 6);                        /* local APIC NMI */
    raw(0x80, 2);                     /* OEM-reserved, minimal */
    lapic(1, 1, 1);
    CHECK_EQ(parse(XAPIC_MAX, &m), 0);
    CHECK_EQ(m.nr_cpus, 2);
}

/* Malformed entries: what precedes is kept, the offset named, -1. */
static void test_malformed(void)
{
    struct madt_info m;

    start(3);                         /* zero length: would loop forever */
    lapic(0, 0, 1);
    raw(4, 0);
    lapic(1, 1, 1);
    CHECK_EQ(parse(XAPIC_MAX, &m), -1);
    CHECK_EQ(m.bad_offset, 52);
    CHECK_EQ(m.nr_cpus, 1);

    start(3);                         /* a LAPIC entry of 6 bytes */
    lapic(0, 0, 1);
    tbl[tlen - 7] = 6;
    tlen -= 2;
    CHECK_EQ(parse(XAPIC_MAX, &m), -1);
    CHECK_EQ(m.bad_offset, 44);
    CHECK_EQ(m.nr_cpus, 0);

    start(4);                         /* an x2APIC entry cut by the table's end */
    lapic(0, 0, 1);
    x2apic(1, 1, 1);
    tlen -= 4;
    CHECK_EQ(parse(XAPIC_MAX, &m), -1);
    CHECK_EQ(m.bad_offset, 52);
    CHECK_EQ(m.nr_cpus, 1);           /* taken before the bad entry */

    start(3);                         /* one byte of entry header left */
    lapic(0, 0, 1);
    tbl[tlen++] = 0;
    CHECK_EQ(parse(XAPIC_MAX, &m), -1);
    CHECK_EQ(m.bad_offset, 52);

    start(3);                         /* shorter than the MADT header */
    tlen = 40;
    CHECK_EQ(parse(XAPIC_MAX, &m), -1);
    CHECK_EQ(m.nr_cpus, 0);
}

/* Random tables: never a read beyond the table (ASan), never more CPUs
 * than NR_CPUS, every taken APIC ID distinct and within reach. */
static void test_fuzz(void)
{
    struct madt_info m;
    for (int iter = 0; iter < 20000; iter++) {
        start((uint8_t)(unit_rng() % 7));
        size_t n = 44 + unit_rng() % 200;
        for (size_t i = 44; i < n; i++) {
            uint64_t r = unit_rng();
            /* bias towards plausible headers: types 0, 1, 9, lengths 8/12/16 */
            tbl[i] = (uint8_t)(r & 1 ? r >> 8 : (r >> 8) % 3 == 0 ? 0 : (r >> 8) % 3 == 1 ? 9 : 16);
        }
        tlen = n;
        uint32_t max = unit_rng() & 1 ? XAPIC_MAX : X2APIC_MAX;
        int rc = parse(max, &m);
        CHECK(rc == 0 || rc == -1);
        CHECK(rc == 0 ? m.bad_offset == 0 : m.bad_offset >= 44 && m.bad_offset < tlen);
        REQUIRE(m.nr_cpus <= NR_CPUS);
        CHECK(m.nr_ioapics <= MADT_MAX_IOAPICS);
        for (unsigned int i = 0; i < m.nr_cpus; i++) {
            CHECK(m.apic_id[i] <= max);
            for (unsigned int j = 0; j < i; j++)
                CHECK(m.apic_id[i] != m.apic_id[j]);
        }
    }
}

int main(void)
{
    RUN(test_lapic_only);
    RUN(test_x2apic_only);
    RUN(test_order_and_duplicates);
    RUN(test_invalid_lapic_id);
    RUN(test_online_capable);
    RUN(test_x2apic_reach);
    RUN(test_beyond_nr_cpus);
    RUN(test_ioapics);
    RUN(test_other_types);
    RUN(test_malformed);
    RUN(test_fuzz);
    return unit_summary();
}
