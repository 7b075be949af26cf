/* Shared by the emul workload's parts (main.c, vcpu_cases.c, insn_cases.c). */
#ifndef EMUL_H
#define EMUL_H
#include "guest.h"
#include "event.h"
#include "mm.h"

extern char event_entry[];
extern volatile unsigned int swint_count, upcall_count;

/* A failed expectation crashes the guest (and fails the boot). */
void expect(bool ok, const char *what);
long evtchn_op(int cmd, void *arg);
uint64_t system_time_ns(void);

/* Run `insn` (operands in %rax, %rcx, %rdx) with a fault expected or
 * not: the vector taken (-1: none); the error code in guest_last_error. */
#define TRY(insn, A, C, D) ({                                               \
        unsigned long _a = (A), _c = (C), _d = (D);                         \
        guest_fault_count = 0;                                              \
        guest_last_vector = ~0U;                                            \
        __asm__ volatile("lea 1f(%%rip), %%r11; mov %%r11, guest_fault_resume(%%rip);" \
                         insn "\n1: movq $0, guest_fault_resume(%%rip)"     \
                         : "+a"(_a), "+c"(_c), "+d"(_d) :: "r11", "memory"); \
        guest_fault_count ? (int)guest_last_vector : -1; })

void check_evtchn_reset(void);           /* vcpu_cases.c */
void check_vcpu_info(void);
void check_insns(void);                  /* insn_cases.c */
void check_vcpu_ops(void);
void vcpu_down_last(void) __noreturn;

#endif
