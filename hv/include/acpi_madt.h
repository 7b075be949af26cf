/* The ACPI MADT's processors and IO-APICs, read as Xen's
 * acpi_parse_madt_lapic_entries reads them (hv/arch/x86/acpi_madt.c):
 * no hv state, so tests/unit/test_madt.c feeds it crafted tables. */
#ifndef ASILAB_ACPI_MADT_H
#define ASILAB_ACPI_MADT_H
#include "types.h"
#include "config.h"

#define MADT_MAX_IOAPICS 8

struct madt_info {
    /* Enabled processors, distinct APIC IDs, in Xen's order: every
     * Local APIC entry (type 0), then every Local x2APIC one (type 9). */
    unsigned int nr_cpus;
    uint32_t apic_id[NR_CPUS], acpi_uid[NR_CPUS];
    /* Enabled processors left out: an APIC ID beyond max_apic_id (an
     * x2APIC ID that xAPIC mode cannot address) or beyond NR_CPUS. */
    unsigned int nr_ignored;
    uint32_t first_ignored_apic;
    /* Entries seen again with an APIC ID already taken. */
    unsigned int nr_duplicates;
    unsigned int nr_ioapics;
    uint64_t ioapic_addr[MADT_MAX_IOAPICS];
    /* The first malformed entry's offset in the table (0: none); what
     * precedes it is kept, nothing after it is read. */
    size_t bad_offset;
};

/* Parse the MADT of len bytes at t (its ACPI header included; the caller
 * checked signature, length and checksum).  max_apic_id: the highest
 * APIC ID this APIC mode can send an IPI to (0xfe in xAPIC mode, where
 * 0xff is the broadcast; 0xfffffffe in x2APIC mode).  0, or -1 when an
 * entry is malformed (bad_offset says where). */
int madt_parse(const void *t, size_t len, uint32_t max_apic_id, struct madt_info *m);

#endif
