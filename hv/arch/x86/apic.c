/* Local APIC: enable, one-shot timer (QEMU and KVM clock the xAPIC timer
 * at 1 GHz, so a count is a nanosecond), fixed IPIs and EOI.
 *
 * xAPIC mode (MMIO at FIXMAP_APIC) unless the firmware handed over the
 * BSP's APIC in x2APIC mode (IA32_APIC_BASE.EXTD set: leaving it would
 * take a reset, and firmware does so where APIC IDs exceed 0xfe); then
 * every register is the MSR 0x800 + offset/16, the ICR one 64-bit MSR
 * with the destination in its high half, and the APs are switched to
 * x2APIC too.  Xen keeps a pre-enabled x2APIC the same way (x2apic_bsp_
 * setup); unlike Xen we send physical-destination IPIs only and never
 * set up interrupt remapping (the hv routes no device interrupts). */
#include "apic.h"
#include "domain.h"
#include "lab.h"
#include "mm.h"
#include "pt.h"
#include "traps.h"
#include "x86.h"

#define APIC_ID    0x20
#define APIC_EOI   0xb0
#define APIC_SVR   0xf0
#define APIC_ICR   0x300
#define APIC_ICR2  0x310
#define APIC_LVTT  0x320
#define APIC_TMICT 0x380
#define APIC_TDCR  0x3e0

#define APIC_BASE_BSP  (1UL << 8)
#define APIC_BASE_EXTD (1UL << 10)
#define APIC_BASE_EN   (1UL << 11)
#define MSR_X2APIC_FIRST 0x800

static bool x2apic_mode;          /* set once, on the BSP, before any AP */

bool apic_x2apic_firmware(void)
{
    return rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
}

static inline uint32_t apic_read(unsigned int r)
{
    if (x2apic_mode)
        return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (r >> 4));
    return *(volatile uint32_t *)(FIXMAP_APIC + r);
}
static inline void apic_write(unsigned int r, uint32_t v)
{
    if (x2apic_mode)
        wrmsr(MSR_X2APIC_FIRST + (r >> 4), v);
    else
        *(volatile uint32_t *)(FIXMAP_APIC + r) = v;
}

/* Enable this CPU's APIC in the BSP's mode.  xAPIC: EN, EXTD clear (as
 * the reset state has it).  x2APIC: EN first, then EN|EXTD, the only
 * legal way in from xAPIC mode (SDM 10.12.5); an AP the firmware left in
 * x2APIC mode keeps it (clearing EXTD alone would #GP). */
void apic_init_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    uint64_t keep = (base & ~0xfffUL) | (base & APIC_BASE_BSP);
    if (!x2apic_mode)
        wrmsr(MSR_APIC_BASE, keep | APIC_BASE_EN);
    else if (!(base & APIC_BASE_EXTD)) {
        wrmsr(MSR_APIC_BASE, keep | APIC_BASE_EN);
        wrmsr(MSR_APIC_BASE, keep | APIC_BASE_EN | APIC_BASE_EXTD);
    }
    apic_write(APIC_SVR, 0x100 | 0xff);
    apic_write(APIC_TDCR, 0xb);            /* divide by 1 */
    apic_write(APIC_LVTT, 0xf0);           /* one-shot, TIMER_VECTOR */
    apic_write(APIC_TMICT, 0);
}

/* The legacy 8259 PICs: the BIOS leaves IRQ0 (the PIT) on vector 8,
 * where it would look like a double fault.  Move them out of the
 * exception range and mask every line; the hv uses only the LAPIC. */
static void pic_disable(void)
{
    outb(0x20, 0x11); outb(0xa0, 0x11);       /* ICW1: init, ICW4 needed */
    outb(0x21, 0x20); outb(0xa1, 0x28);       /* ICW2: vector bases */
    outb(0x21, 0x04); outb(0xa1, 0x02);       /* ICW3: cascade on IRQ2 */
    outb(0x21, 0x01); outb(0xa1, 0x01);       /* ICW4: 8086 mode */
    outb(0x21, 0xff); outb(0xa1, 0xff);       /* mask all */
}

void apic_init(void)
{
    pic_disable();
    x2apic_mode = apic_x2apic_firmware();
    paddr_t base = rdmsr(MSR_APIC_BASE) & 0xffffff000UL;
    extern uint64_t idle_pg_table_maddr;
    if (pt_map_range(idle_pg_table_maddr, FIXMAP_APIC, base, 1,
                     PAGE_HV_RW | _PAGE_PCD | _PAGE_PWT, alloc_frame, PAGE_TABLE))
        return;
    invlpg(FIXMAP_APIC);
    apic_init_cpu();
}

/* xAPIC: bits 31:24 of the ID register; x2APIC: all 32 bits. */
unsigned int apic_id(void)
{
    return x2apic_mode ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

void apic_timer_oneshot(uint64_t ns)
{
    if (ns > 0xffffffffUL)
        ns = 0xffffffffUL;
    apic_write(APIC_TMICT, (uint32_t)ns);
}

/* xAPIC: wait for the previous IPI's delivery, destination in ICR2,
 * then the low half sends.  x2APIC: one WRMSR, no delivery status;
 * the WRMSR is not serializing, so fence first: what this CPU wrote
 * before the IPI is visible to its target (Xen's x2apic send_IPI). */
static void apic_icr(unsigned int dest_apic, uint32_t low)
{
    if (x2apic_mode) {
        __asm__ volatile("mfence; lfence" ::: "memory");
        wrmsr(MSR_X2APIC_FIRST + (APIC_ICR >> 4), (uint64_t)dest_apic << 32 | low);
        return;
    }
    while (apic_read(APIC_ICR) & (1U << 12))
        cpu_relax();
    apic_write(APIC_ICR2, dest_apic << 24);
    apic_write(APIC_ICR, low);
}

void send_ipi(unsigned int cpu, unsigned int vector)
{
    apic_icr(pcpus[cpu].apic_id, vector);   /* fixed, physical */
    if (vector == FLUSH_VECTOR)           /* ipi_sent is their sum (counters.c) */
        this_cpu_count(ipi_flush, 1);
    else
        this_cpu_count(ipi_event, 1);
}

void apic_send_init_sipi(unsigned int apic, unsigned int page)
{
    apic_icr(apic, 0x4500);                 /* INIT, assert */
    for (volatile int i = 0; i < 100000; i++)
        ;
    apic_icr(apic, 0x4600 | page);          /* SIPI */
    for (volatile int i = 0; i < 10000; i++)
        ;
    apic_icr(apic, 0x4600 | page);          /* SIPI again */
}
