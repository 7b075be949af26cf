/* Per-CPU descriptor tables, exception/interrupt dispatch, guest-memory
 * access, and the entry points shared between C and entry.S. */
#ifndef ASILAB_TRAPS_H
#define ASILAB_TRAPS_H
#include "types.h"
#include "public/arch-x86_64.h"

#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_PAGE * 512)
#define NR_GDT_PAGES             15
#define __HYPERVISOR_CS   0xe008
#define __HYPERVISOR_DS   0xe010
#define TSS_SELECTOR      0xe040
#define LDT_SELECTOR      0xe050
#define PER_CPU_SELECTOR  0xe060

/* Interrupt vectors used by the hv. */
#define TIMER_VECTOR      0xf0
#define EVENT_CHECK_VECTOR 0xf1
#define FLUSH_VECTOR      0xf2
#define SPURIOUS_VECTOR   0xff

void percpu_traps_init(unsigned int cpu);
void load_default_gdt(unsigned int cpu);
uint64_t *reserved_gdt_page(unsigned int cpu);
typedef void entry_region_fn(void *ctx, const void *start, size_t len, uint64_t flags);
void percpu_entry_regions(unsigned int cpu, entry_region_fn *fn, void *ctx);
void do_trap(struct cpu_user_regs *regs);
void do_IRQ(struct cpu_user_regs *regs);
void do_syscall(struct cpu_user_regs *regs);
void exit_to_guest(void) __noreturn;
void restore_all_guest(struct cpu_user_regs *regs) __noreturn;
void reset_stack_and_call(void *stack, void (*fn)(void)) __noreturn;
unsigned long raw_copy_guest(void *dst, const void *src, size_t n);

/* Guest virtual memory through the current page tables: 0 or -EFAULT. */
int copy_from_guest(void *dst, unsigned long gaddr, size_t n);
int copy_to_guest(unsigned long gaddr, const void *src, size_t n);
bool guest_range_ok(unsigned long addr, size_t n);

/* hv/pv/traps.c */
struct vcpu;
void toggle_guest_mode(struct vcpu *v);
void pv_inject_trap(struct cpu_user_regs *regs, unsigned int vector,
                    bool has_err, uint32_t err, unsigned long cr2);
void pv_bounce_syscall(struct cpu_user_regs *regs);
void do_iret(struct cpu_user_regs *regs);

extern char exception_stubs[], irq_stubs[], lstar_enter[], syscall_stubs[];
extern char restore_iret_insn[];
#include "config.h"
extern char cpu_stacks[NR_CPUS][STACK_SIZE];     /* each pCPU's stack block */
extern char _start[], _etext[], _erodata[], _edata[], _end[];
extern char _sentry[], _eentry[];

#endif
