/* Secondary CPUs: find them in the ACPI MADT (acpi_madt.c reads its
 * Local APIC and Local x2APIC entries and their ACPI processor ids), wake each with INIT-SIPI-SIPI through the real-mode trampoline,
 * and give each its tables, LAPIC and idle vCPU. */
#include "acpi_madt.h"
#include "apic.h"
#include "boot.h"
#include "iomem.h"
#include "console.h"
#include "domain.h"
#include "flushtlb.h"
#include "lib.h"
#include "mm.h"
#include "sched.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

#define TRAMPOLINE_PHYS 0x8000

extern char trampoline_start[], trampoline_end[], trampoline_gdt_ptr[];
extern char boot_gdt_ptr[], start64_ap[];
extern uint64_t boot_lm_entry;
extern char cpu_stacks[NR_CPUS][STACK_SIZE];
char *ap_boot_stack;
static volatile unsigned int ap_boot_cpu, ap_started;
static unsigned int madt_apic_ids[NR_CPUS], madt_acpi_ids[NR_CPUS], nr_madt_cpus;

struct __packed acpi_header {
    char sig[4];
    uint32_t length;
    uint8_t rev, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
};

static bool checksum_ok(const void *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += ((const uint8_t *)p)[i];
    return s == 0;
}

/* The RSDP: the copy a multiboot2 loader gave (the only way on UEFI),
 * else the BIOS's, found as Xen's acpi_scan_rsdp does: the EBDA's first
 * KiB, then 0xe0000-0xfffff. */
static const uint8_t *find_rsdp(void)
{
    if (boot_rsdp_len)
        return !memcmp(boot_rsdp, "RSD PTR ", 8) && checksum_ok(boot_rsdp, 20)
               ? boot_rsdp : NULL;
    uint16_t ebda_seg = *(const uint16_t *)__va(0x40e);
    paddr_t ranges[2][2] = { { (paddr_t)ebda_seg << 4, ((paddr_t)ebda_seg << 4) + 1024 },
                             { 0xe0000, 0x100000 } };
    for (int r = 0; r < 2; r++)
        for (paddr_t pa = ranges[r][0]; pa + 20 <= ranges[r][1]; pa += 16) {
            const uint8_t *p = __va(pa);
            if (!memcmp(p, "RSD PTR ", 8) && checksum_ok(p, 20))
                return p;
        }
    return NULL;
}

/* A table the boot directmap reaches (the first 4 GiB) and whose
 * signature and checksum hold, or NULL. */
static const struct acpi_header *acpi_table(uint64_t pa, const char *sig)
{
    if (!pa || pa >= (1ULL << 32) - sizeof(struct acpi_header))
        return NULL;
    const struct acpi_header *h = __va(pa);
    if (memcmp(h->sig, sig, 4) || h->length < sizeof(*h) ||
        pa + h->length > (1ULL << 32) || !checksum_ok(h, h->length))
        return NULL;
    return h;
}

/* The MADT, read by acpi_madt.c's madt_parse with the APIC mode's reach:
 * an xAPIC addresses IDs up to 0xfe, an x2APIC (kept when the firmware
 * enabled it, apic.c) all but 0xffffffff.  A malformed entry ends the
 * parse: Xen then disables ACPI and boots on the BSP alone, as we do. */
static void parse_madt(const struct acpi_header *h)
{
    static struct madt_info m;
    uint32_t max_apic_id = apic_x2apic_firmware() ? 0xfffffffeU : 0xfe;
    if (madt_parse(h, h->length, max_apic_id, &m)) {
        printk("ACPI: MADT entry at offset %zu malformed: SMP and IO-APICs not used\n",
               m.bad_offset);
        return;
    }
    if (m.nr_duplicates)
        printk("ACPI: %u MADT processor entries repeat an APIC ID: taken once\n",
               m.nr_duplicates);
    if (m.nr_ignored)
        printk("ACPI: %u enabled processors beyond limit (first APIC ID %#x, %s mode, NR_CPUS %u) - ignored\n",
               m.nr_ignored, m.first_ignored_apic,
               apic_x2apic_firmware() ? "x2APIC" : "xAPIC", NR_CPUS);
    for (unsigned int i = 0; i < m.nr_cpus; i++) {
        madt_acpi_ids[i] = m.acpi_uid[i];
        madt_apic_ids[i] = m.apic_id[i];
    }
    nr_madt_cpus = m.nr_cpus;
    for (unsigned int i = 0; i < m.nr_ioapics && i < MAX_IOAPICS; i++)
        madt_ioapic_addr[i] = m.ioapic_addr[i];
    nr_madt_ioapics = m.nr_ioapics < MAX_IOAPICS ? m.nr_ioapics : MAX_IOAPICS;
}

/* Must run while the boot directmap still maps the first 4 GiB.  The
 * XSDT when the RSDP has one (revision 2 or later), else the RSDT, as
 * Xen's acpi_table_init chooses. */
void acpi_find_cpus(void);
void acpi_find_cpus(void)
{
    const uint8_t *rsdp = find_rsdp();
    if (!rsdp)
        return;
    uint64_t xsdt_pa = 0;
    if (rsdp[15] >= 2 && (!boot_rsdp_len || boot_rsdp_len >= 36) && checksum_ok(rsdp, 36))
        memcpy(&xsdt_pa, rsdp + 24, 8);
    const struct acpi_header *sdt = acpi_table(xsdt_pa, "XSDT");
    unsigned int width = 8;
    if (!sdt) {
        sdt = acpi_table(*(const uint32_t *)(rsdp + 16), "RSDT");
        width = 4;
    }
    if (!sdt)
        return;
    unsigned int n = (sdt->length - sizeof(*sdt)) / width;
    const uint8_t *ent = (const uint8_t *)(sdt + 1);
    for (unsigned int i = 0; i < n; i++) {
        uint64_t pa = 0;
        memcpy(&pa, ent + i * width, width);
        const struct acpi_header *h = acpi_table(pa, "APIC");
        if (h) {            /* the first, as Xen's acpi_table_parse */
            parse_madt(h);
            return;
        }
    }
}

/* Xen's acpi_get_processor_id: the ACPI processor id of an online pCPU's
 * LAPIC in the MADT, or -1. */
int acpi_get_processor_id(unsigned int cpu)
{
    if (cpu >= NR_CPUS || !pcpus[cpu].online)
        return -1;
    for (unsigned int i = 0; i < nr_madt_cpus; i++)
        if (madt_apic_ids[i] == pcpus[cpu].apic_id)
            return madt_acpi_ids[i];
    return -1;
}

void start_secondary(void)
{
    unsigned int cpu = ap_boot_cpu;

    raw_write_cr3(idle_pg_table_maddr);
    percpu_traps_init(cpu);
    apic_init_cpu();
    sched_init_cpu(cpu);
    pcpus[cpu].apic_id = apic_id();
    strategy_cpu_init(&pcpus[cpu]);
    tlb_cpu_init();
    pcpus[cpu].online = true;
    __atomic_store_n(&ap_started, 1, __ATOMIC_SEQ_CST);
    exit_to_guest();     /* idles until a vCPU is placed here */
}

/* Is [pa, pa + len) RAM in the loader's map?  The trampoline's page is
 * fixed (SIPI vectors are below 1 MiB); a BIOS always leaves it free,
 * a UEFI firmware usually does (Xen's EFI loader asks boot services for
 * one instead, which we no longer have). */
static bool e820_is_ram(paddr_t pa, paddr_t len)
{
    for (unsigned int i = 0; i < nr_boot_e820; i++)
        if (boot_e820[i].type == E820_RAM && boot_e820[i].addr <= pa &&
            pa + len <= boot_e820[i].addr + boot_e820[i].size)
            return true;
    return false;
}

void smp_boot_cpus(void)
{
    unsigned int bsp = pcpus[0].apic_id;

    if (nr_madt_cpus > 1 && !e820_is_ram(TRAMPOLINE_PHYS, PAGE_SIZE))
        panic("the AP trampoline's page %#x is not RAM in the loader's memory map",
              TRAMPOLINE_PHYS);
    memcpy(__va(TRAMPOLINE_PHYS), trampoline_start, trampoline_end - trampoline_start);
    memcpy(__va(TRAMPOLINE_PHYS) + (trampoline_gdt_ptr - trampoline_start),
           boot_gdt_ptr, 6);
    boot_lm_entry = (uint64_t)start64_ap;

    for (unsigned int i = 0; i < nr_madt_cpus; i++) {
        unsigned int apic = madt_apic_ids[i];
        unsigned int cpu = nr_cpus_online;
        if (apic == bsp || cpu >= NR_CPUS)
            continue;
        ap_boot_cpu = cpu;
        ap_boot_stack = &cpu_stacks[cpu][STACK_SIZE - sizeof(struct cpu_info)];
        ap_started = 0;
        apic_send_init_sipi(apic, TRAMPOLINE_PHYS >> 12);
        for (unsigned long spin = 0; !__atomic_load_n(&ap_started, __ATOMIC_SEQ_CST); spin++) {
            if (spin > 2000000000UL)
                panic("CPU with APIC ID %u did not come up", apic);
            cpu_relax();
        }
        nr_cpus_online++;
    }
}
