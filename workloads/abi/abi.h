/* Shared by the abi workload's parts. */
#ifndef ABI_H
#define ABI_H
#include "mm.h"

extern unsigned int checks, failures;
/* One check: got must be want (printed otherwise, and the boot fails). */
void check(const char *what, long got, long want);
#define CHECK_TRUE(what, cond) check(what, !!(cond), 1)

void multicall_cases(void);              /* mc_cases.c */
void misc_cases(void);                   /* misc_cases.c */
void vcpu_cases(void);                   /* vcpu_cases.c: vcpus=2 only */

#endif
