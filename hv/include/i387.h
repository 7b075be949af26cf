/* A vCPU's x87/SSE state, switched eagerly on context switch (Xen's
 * i387.c): no domain sees another's registers or error pointers. */
#ifndef ASILAB_I387_H
#define ASILAB_I387_H
#include "domain.h"

/* Boot CPU: does FXSAVE/FXRSTOR leave FIP/FDP/FOP alone (Xen's
 * X86_BUG_FPU_PTRS)?  Then vcpu_restore_fpu scrubs them first. */
void fpu_init(void);
void vcpu_save_fpu(struct vcpu *v);
void vcpu_restore_fpu(struct vcpu *v);
/* Set by fpu_init; each restore that scrubs counts event fpu_scrub. */
extern bool cpu_bug_fpu_ptrs;

#endif
