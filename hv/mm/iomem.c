/* Domain 0's I/O memory, as Xen's dom0_setup_permissions sets the
 * hardware domain's iomem_caps: every frame below the physical address
 * width, less the local APIC's page, the IO-APICs' pages, the MSI range,
 * on AMD the HyperTransport range, and E820_UNUSABLE regions above
 * 1 MiB.  Of those, only frames that are no RAM (Xen's dom_io frames:
 * outside every E820_RAM entry, or in the first MiB, which Xen always
 * gives to dom_io) are mapped as I/O memory; RAM keeps its owner.
 * Hostile by default, asilab keeps one more frame back: the AP
 * trampoline in low memory (Xen lets dom0 map its own there).  No other
 * domain has I/O memory.  A permitted range is a sorted, disjoint list
 * of [s, e] frame ranges (Xen's rangeset). */
#include "boot.h"
#include "domain.h"
#include "iomem.h"
#include "lib.h"
#include "x86.h"

#define MAX_RANGES 64
#define LOW_MB_FRAMES 0x100UL
#define TRAMPOLINE_FRAME 0x8UL              /* smpboot.c's TRAMPOLINE_PHYS */
#define MSI_FIRST_FRAME 0xfee00UL           /* 0xfee00000-0xfeefffff */
#define MSI_LAST_FRAME  0xfeeffUL
#define E820_UNUSABLE 5

static struct { unsigned long s, e; } caps[MAX_RANGES];
static unsigned int nr_caps;
unsigned int paddr_bits = 36;
uint64_t madt_ioapic_addr[MAX_IOAPICS];
unsigned int nr_madt_ioapics;

/* Xen's rangeset_remove_range: [s, e] leaves the set (a range split in
 * two needs one more slot; without one the rest of it goes too, which
 * only ever takes rights away). */
static void deny(unsigned long s, unsigned long e)
{
    for (unsigned int i = 0; i < nr_caps; i++) {
        if (caps[i].e < s || caps[i].s > e)
            continue;
        if (caps[i].s < s && caps[i].e > e) {
            if (nr_caps == MAX_RANGES) {
                caps[i].e = s - 1;
                continue;
            }
            memmove(&caps[i + 2], &caps[i + 1], (nr_caps - i - 1) * sizeof(caps[0]));
            nr_caps++;
            caps[i + 1].s = e + 1;
            caps[i + 1].e = caps[i].e;
            caps[i].e = s - 1;
            i++;
        } else if (caps[i].s < s) {
            caps[i].e = s - 1;
        } else if (caps[i].e > e) {
            caps[i].s = e + 1;
        } else {
            memmove(&caps[i], &caps[i + 1], (nr_caps - i - 1) * sizeof(caps[0]));
            nr_caps--;
            i--;
        }
    }
}

void iomem_init(void)
{
    uint32_t a, b, c, d;
    cpuid_count(0x80000000, 0, &a, &b, &c, &d);
    if (a >= 0x80000008) {
        cpuid_count(0x80000008, 0, &a, &b, &c, &d);
        paddr_bits = a & 0xff;
    }
    caps[0].s = 0;
    caps[0].e = (1UL << (paddr_bits - PAGE_SHIFT)) - 1;
    nr_caps = 1;
    deny((rdmsr(MSR_APIC_BASE) & 0xffffff000UL) >> PAGE_SHIFT,
         (rdmsr(MSR_APIC_BASE) & 0xffffff000UL) >> PAGE_SHIFT);
    for (unsigned int i = 0; i < nr_madt_ioapics; i++)
        deny(madt_ioapic_addr[i] >> PAGE_SHIFT, madt_ioapic_addr[i] >> PAGE_SHIFT);
    deny(MSI_FIRST_FRAME, MSI_LAST_FRAME);
    if (boot_cpu_vendor == CPU_VENDOR_AMD) {
        uint32_t fam;
        cpuid_count(1, 0, &fam, &b, &c, &d);
        unsigned int family = (fam >> 8) & 0xf;
        if (family == 0xf)
            family += (fam >> 20) & 0xff;
        unsigned long top = 1UL << ((family < 0x17 ? 40 : paddr_bits) - PAGE_SHIFT);
        deny(top - ((3UL << 32) >> PAGE_SHIFT), top - 1);
    }
    for (unsigned int i = 0; i < nr_boot_e820; i++) {
        unsigned long sfn = MAX(boot_e820[i].addr >> PAGE_SHIFT, LOW_MB_FRAMES);
        unsigned long efn = (boot_e820[i].addr + boot_e820[i].size - 1) >> PAGE_SHIFT;
        if (boot_e820[i].type == E820_UNUSABLE && sfn <= efn)
            deny(sfn, efn);
    }
    deny(TRAMPOLINE_FRAME, TRAMPOLINE_FRAME);
}

bool is_iomem_frame(mfn_t mfn)
{
    if (mfn < LOW_MB_FRAMES)
        return true;
    for (unsigned int i = 0; i < nr_boot_e820; i++) {
        const struct e820entry *m = &boot_e820[i];
        if (m->type == E820_RAM && mfn >= m->addr >> PAGE_SHIFT &&
            mfn < (m->addr + m->size) >> PAGE_SHIFT)
            return false;
    }
    return true;
}

bool iomem_access_permitted(const struct domain *d, mfn_t mfn)
{
    if (!is_control_domain(d))
        return false;
    for (unsigned int i = 0; i < nr_caps; i++)
        if (mfn >= caps[i].s && mfn <= caps[i].e)
            return true;
    return false;
}

long iomem_report_ranges(unsigned long s, unsigned long e,
                         long (*cb)(unsigned long s, unsigned long e, void *ctxt), void *ctxt)
{
    long rc = 0;
    for (unsigned int i = 0; !rc && i < nr_caps && caps[i].s <= e; i++)
        if (caps[i].e >= s)
            rc = cb(MAX(s, caps[i].s), MIN(e, caps[i].e), ctxt);
    return rc;
}
