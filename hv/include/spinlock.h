/* Test-and-test-and-set spinlock (interrupts are the caller's business). */
#ifndef ASILAB_SPINLOCK_H
#define ASILAB_SPINLOCK_H
#include "types.h"

typedef struct { volatile int locked; } spinlock_t;
#define SPIN_LOCK_UNLOCKED { 0 }

static inline void spin_lock(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (l->locked)
            __asm__ volatile("pause");
}
static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
#endif
