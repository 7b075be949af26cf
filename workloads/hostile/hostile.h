/* Shared by the hostile workload's parts: call accounting and checks. */
#ifndef HOSTILE_H
#define HOSTILE_H
#include "mm.h"

extern unsigned int calls, mismatches;
extern unsigned int err_counts[128];

/* Count a call's result; a result other than `want` is a mismatch. */
void expect_rc(const char *what, long rc, long want);
/* Count a call's result without an expectation (random mode). */
void count_rc(long rc);
/* Fail the case (a mismatch) unless cond holds. */
void expect_true(const char *what, bool cond);

#define PF_PRESENT 1
#define PF_WRITE   2
#define PF_USER    4

/* Run one probe instruction sequence; expect exception `vec`.  The trap
 * handler resumes at the label after the asm. */
#define EXPECT_FAULT(what, vec, insn, ...) do {                             \
        __label__ resume;                                                   \
        unsigned int before = guest_fault_count;                            \
        guest_fault_resume = (unsigned long)&&resume;    \
        __asm__ goto(insn :: __VA_ARGS__ : "memory", "rax", "rcx", "rdx"    \
                     : resume);                          \
    resume:                                              \
        guest_fault_resume = 0;                                             \
        calls++;                                                            \
        if (guest_fault_count == before || guest_last_vector != (vec)) {    \
            mismatches++;                                                     \
            printf("hostile: %s: expected vector %u, got %s %u\n", what,    \
                   (vec), guest_fault_count == before ? "no fault" : "vector", \
                   guest_last_vector);                                      \
        }                                                                   \
    } while (0)

void probe_mm(void);                       /* mm_cases.c */
/* One MMU_NORMAL_PT_UPDATE of the entry at machine address ptr. */
long mmu1(uint64_t ptr, uint64_t val);
void escape_cases(void);                   /* escape_cases.c */
void abi_cases(void);                      /* abi_cases.c */
/* A frame this domain does not own: past its highest, where the next
 * domain's (or free) frames are.  mm_cases.c */
unsigned long foreign_mfn(void);
void random_calls(unsigned long n, unsigned long seed);   /* random.c */

#endif
