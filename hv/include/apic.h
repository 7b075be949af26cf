/* Local APIC (xAPIC MMIO, or x2APIC MSRs when the firmware enabled
 * them): timer, IPIs, EOI; SMP bring-up. */
#ifndef ASILAB_APIC_H
#define ASILAB_APIC_H
#include "types.h"
#include "layout.h"

#define FIXMAP_APIC (HV_VIRT_START + 0x3ff00000UL)

void apic_init(void);             /* BSP: map it; every CPU: enable */
void apic_init_cpu(void);
bool apic_x2apic_firmware(void); /* the BSP's APIC is in x2APIC mode */
unsigned int apic_id(void);
int acpi_get_processor_id(unsigned int cpu);   /* hv/arch/x86/smpboot.c */
void apic_eoi(void);
void apic_timer_oneshot(uint64_t ns);   /* 0 = stop */
void send_ipi(unsigned int cpu, unsigned int vector);
void apic_send_init_sipi(unsigned int apic, unsigned int page);
void smp_boot_cpus(void);
void start_secondary(void) __noreturn;

#endif
