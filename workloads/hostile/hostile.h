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

void probe_mm(void);                       /* mm_cases.c */
void random_calls(unsigned long n, unsigned long seed);   /* random.c */

#endif
