/* The hv's own @asilab records: the boot-time calibration of an empty
 * dependent-add loop (which tells a native CPU from an emulating one),
 * and the end record that closes a run before power-off. */
#include "console.h"
#include "domain.h"
#include "lab.h"
#include "lib.h"
#include "sched.h"
#include "spinlock.h"
#include "public/sched.h"
#include "x86.h"

unsigned long lab_records_emitted;
static spinlock_t records_lock = SPIN_LOCK_UNLOCKED;

/* One complete "@asilab {...}\n" line, counted for the end record. */
void lab_emit_record(const char *line, size_t n)
{
    spin_lock(&records_lock);
    console_write(line, n);
    lab_records_emitted++;
    spin_unlock(&records_lock);
}

#define CAL_ITERS   1000
#define CAL_SAMPLES 11

static uint64_t empty_loop(unsigned long n)
{
    uint64_t t0 = rdtsc_ordered();
    unsigned long acc = 0;
    __asm__ volatile("1: add $1, %0; dec %1; jnz 1b" : "+r"(acc), "+r"(n));
    return rdtsc_ordered() - t0;
}

static void sort_u64(uint64_t *a, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j > 0 && a[j - 1] > a[j]; j--) {
            uint64_t t = a[j]; a[j] = a[j - 1]; a[j - 1] = t;
        }
}

/* Per-op value (total / ops) printed with three decimals. */
static int fmt_per_op(char *buf, size_t n, uint64_t total, uint64_t ops)
{
    uint64_t milli = (total * 1000 + ops / 2) / ops;
    return snprintf(buf, n, "%lu.%03lu", milli / 1000, milli % 1000);
}

uint64_t lab_tsc_khz;

static uint64_t ns_per_tick_32;     /* 32.32 fixed point */

/* hv system time in ns, from the TSC. */
uint64_t hv_time_ns(void)
{
    return (uint64_t)(((unsigned __int128)rdtsc_ordered() * ns_per_tick_32) >> 32);
}

/* TSC ticks per ms against the PIT (channel 2, 10 ms, speaker gate).
 * Under icount the TSC counts instructions at a nominal 1 GHz. */
static uint64_t measure_tsc_khz(void)
{
    if (lab_mode != ASILAB_MODE_TIMING)
        return 1000000;
    const unsigned int count = 11932;          /* 10 ms at 1.193182 MHz */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xb0);                          /* ch 2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    uint64_t t0 = rdtsc_ordered();
    for (unsigned long spin = 0; !(inb(0x61) & 0x20); spin++)
        if (spin > 100000000UL)
            return 0;                          /* no PIT: unknown */
    return (rdtsc_ordered() - t0) / 10;
}

void lab_calibrate(void)
{
    uint64_t s[CAL_SAMPLES];
    char mn[32], p10[32], med[32], p90[32], mx[32], line[512];

    lab_tsc_khz = measure_tsc_khz();
    ns_per_tick_32 = (1000000UL << 32) / (lab_tsc_khz ? lab_tsc_khz : 1000000);
    empty_loop(CAL_ITERS);                       /* warm-up */
    for (int i = 0; i < CAL_SAMPLES; i++)
        s[i] = empty_loop(CAL_ITERS);
    sort_u64(s, CAL_SAMPLES);
    fmt_per_op(mn, sizeof(mn), s[0], CAL_ITERS);
    fmt_per_op(p10, sizeof(p10), s[CAL_SAMPLES / 10], CAL_ITERS);
    fmt_per_op(med, sizeof(med), s[CAL_SAMPLES / 2], CAL_ITERS);
    fmt_per_op(p90, sizeof(p90), s[CAL_SAMPLES * 9 / 10], CAL_ITERS);
    fmt_per_op(mx, sizeof(mx), s[CAL_SAMPLES - 1], CAL_ITERS);
    int n = snprintf(line, sizeof(line),
        "@asilab {\"type\":\"calibration\",\"workload\":\"hv\",\"op\":\"empty_loop\","
        "\"variant\":\"%s\",\"mode\":\"%s\",\"unit\":\"%s\",\"ops\":%d,"
        "\"samples\":%d,\"min\":%s,\"p10\":%s,\"median\":%s,\"p90\":%s,\"max\":%s,"
        "\"tsc_khz\":%lu}\n",
        asilab_variant, lab_mode == ASILAB_MODE_TIMING ? "timing" : "deterministic",
        lab_mode == ASILAB_MODE_TIMING ? "cycles" : "insns",
        CAL_ITERS, CAL_SAMPLES, mn, p10, med, p90, mx, lab_tsc_khz);
    lab_emit_record(line, MIN((size_t)n, sizeof(line) - 1));
}

static const char *const state_names[] = { "running", "shutdown", "crashed" };
static const char *const reason_names[] = { "poweroff", "reboot", "suspend",
                                            "crash", "watchdog" };

void lab_emit_end_and_exit(void)
{
    static int ended;
    char line[1536];
    bool pass = true;
    int n = 0;

    if (__atomic_exchange_n(&ended, 1, __ATOMIC_SEQ_CST))
        for (;;)                        /* another pCPU is ending the run */
            __asm__ volatile("cli; hlt");

    for (unsigned int i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        if (d->is_driver && !(d->state == DOM_shutdown &&
                              d->shutdown_reason == SHUTDOWN_poweroff))
            pass = false;
    }
    n += snprintf(line + n, sizeof(line) - n,
                  "@asilab {\"type\":\"end\",\"status\":\"%s\",\"records\":%lu,"
                  "\"domains\":[", pass ? "pass" : "fail", lab_records_emitted);
    for (unsigned int i = 0; i < nr_domains && n < (int)sizeof(line) - 200; i++) {
        struct domain *d = domains[i];
        const char *reason = d->state == DOM_crashed ? "crash"
            : d->state == DOM_running ? "none"
            : d->shutdown_reason < ARRAY_SIZE(reason_names)
              ? reason_names[d->shutdown_reason] : "unknown";
        n += snprintf(line + n, sizeof(line) - n,
                      "%s{\"domid\":%u,\"name\":\"%s\",\"driver\":%s,"
                      "\"state\":\"%s\",\"reason\":\"%s\"}",
                      i ? "," : "", d->domain_id, d->name,
                      d->is_driver ? "true" : "false", state_names[d->state], reason);
    }
    n += snprintf(line + n, sizeof(line) - n, "]}\n");
    console_write(line, MIN((size_t)n, sizeof(line) - 1));
    hv_exit(pass ? EXIT_PASS : EXIT_FAIL);
}
