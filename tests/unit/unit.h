/* Minimal test harness for the host unit tests of hv code.
 *
 * CHECK(c)      records a failure (file:line + expression) and goes on;
 * REQUIRE(c)    records a failure and abandons the current test (use it
 *               where carrying on would dereference garbage);
 * CHECK_EQ(a,b) as CHECK(a == b), printing both values as hex.
 * RUN(fn)       runs one test function; unit_summary() prints
 *               "N passed, M failed" and gives main()'s exit status;
 * unit_rng()    a fixed-seed pseudo-random generator. */
#ifndef ASILAB_UNIT_H
#define ASILAB_UNIT_H
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int unit_passed, unit_failed, unit_cur_failed;
static const char *unit_cur_name;
static jmp_buf unit_abort;

static void unit_fail(const char *file, int line, const char *what)
{
    if (unit_cur_failed < 20)           /* a broken loop need not flood */
        fprintf(stderr, "%s:%d: %s: check failed: %s\n", file, line,
                unit_cur_name ? unit_cur_name : "?", what);
    else if (unit_cur_failed == 20)
        fprintf(stderr, "%s: further failures not shown\n",
                unit_cur_name ? unit_cur_name : "?");
    unit_cur_failed++;
}

#define CHECK(c) do { if (!(c)) unit_fail(__FILE__, __LINE__, #c); } while (0)
#define REQUIRE(c) do { if (!(c)) { unit_fail(__FILE__, __LINE__, #c); \
                                    longjmp(unit_abort, 1); } } while (0)
#define CHECK_EQ(a, b) do {                                                  \
        unsigned long long unit_a_ = (unsigned long long)(a);                \
        unsigned long long unit_b_ = (unsigned long long)(b);                \
        if (unit_a_ != unit_b_) {                                            \
            char unit_m_[512];                                               \
            snprintf(unit_m_, sizeof(unit_m_), "%s == %s (0x%llx != 0x%llx)",\
                     #a, #b, unit_a_, unit_b_);                              \
            unit_fail(__FILE__, __LINE__, unit_m_);                          \
        }                                                                    \
    } while (0)

#define RUN(fn) unit_run(#fn, fn)

/* Deterministic xorshift64* (fixed seed, independent of libc's rand()). */
static uint64_t unit_rng_state = 0x9e3779b97f4a7c15ULL;
static inline uint64_t unit_rng(void)
{
    unit_rng_state ^= unit_rng_state >> 12;
    unit_rng_state ^= unit_rng_state << 25;
    unit_rng_state ^= unit_rng_state >> 27;
    return unit_rng_state * 0x2545f4914f6cdd1dULL;
}

static void unit_run(const char *name, void (*fn)(void))
{
    unit_cur_name = name;
    unit_cur_failed = 0;
    if (!setjmp(unit_abort))
        fn();
    if (unit_cur_failed) {
        unit_failed++;
        printf("FAIL %s\n", name);
    } else {
        unit_passed++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
    unit_cur_name = NULL;
}

static int unit_summary(void)
{
    printf("%d passed, %d failed\n", unit_passed, unit_failed);
    return unit_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
