/* Boot-time calibration from ring 0 (the `calibrate` measurements): the
 * TSC frequency, an empty dependent-add loop (which tells a native CPU
 * from an emulating one: ~1 cycle per iteration native, hundreds under an
 * emulating KVM), and the raw primitives the strategies are built from:
 * CR3 load (and, with PCID, one that keeps the TLB), INVLPG, INVPCID
 * (each type, where the CPU has it), LGDT,
 * LLDT, WRMSR and an IPI round trip.  One calibration record each; every
 * primitive's figures have the empty loop's per-iteration cost taken off
 * ("overhead"), and the IPI goes to a pCPU that spins with interrupts
 * enabled (not one halted in the idle loop, which would add its wake-up
 * latency). */
#include "console.h"
#include "domain.h"
#include "flushtlb.h"
#include "lab.h"
#include "lib.h"
#include "mm.h"
#include "sched.h"
#include "traps.h"
#include "x86.h"
#include "vcpu_timer.h"

#define CAL_ITERS   1000
#define CAL_SAMPLES 11


uint64_t lab_tsc_khz;

static uint64_t ns_per_tick_32;     /* 32.32 fixed point */

/* hv system time in ns, from the TSC. */
uint64_t hv_ns_per_tick_32(void)
{
    return ns_per_tick_32;
}

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

typedef void prim_fn(unsigned long n, unsigned long arg);

static void prim_empty(unsigned long n, unsigned long arg)
{
    unsigned long acc = 0;
    __asm__ volatile("1: add $1, %0; dec %1; jnz 1b" : "+r"(acc), "+r"(n));
}

static void prim_cr3(unsigned long n, unsigned long arg)
{
    uint64_t cr3 = read_cr3();
    for (unsigned long i = 0; i < n; i++)
        raw_write_cr3(cr3);
}

/* CR3 load keeping the TLB entries of PCID 0 (bit 63), PCIDE on. */
static void prim_cr3_noflush(unsigned long n, unsigned long arg)
{
    uint64_t cr3 = read_cr3() | (1UL << 63);
    for (unsigned long i = 0; i < n; i++)
        raw_write_cr3(cr3);
}

static void prim_invlpg(unsigned long n, unsigned long arg)
{
    for (unsigned long i = 0; i < n; i++)
        invlpg(arg);
}

static void prim_invpcid(unsigned long n, unsigned long type)
{
    struct { uint64_t pcid, addr; } desc = { 0, (uint64_t)&desc };
    for (unsigned long i = 0; i < n; i++)
        __asm__ volatile("invpcid %0, %1" :: "m"(desc), "r"(type) : "memory");
}

static void prim_lgdt(unsigned long n, unsigned long arg)
{
    struct desc_ptr p;
    __asm__ volatile("sgdt %0" : "=m"(p));
    for (unsigned long i = 0; i < n; i++)
        lgdt(&p);
}

static void prim_lldt(unsigned long n, unsigned long arg)
{
    for (unsigned long i = 0; i < n; i++)
        lldt(0);
}

static void prim_wrmsr(unsigned long n, unsigned long arg)
{
    uint64_t v = rdmsr(MSR_SHADOW_GS_BASE);
    for (unsigned long i = 0; i < n; i++)
        wrmsr(MSR_SHADOW_GS_BASE, v);
}

/* One IPI to another pCPU and its acknowledgement (an empty flush). */
static void prim_ipi(unsigned long n, unsigned long cpu)
{
    for (unsigned long i = 0; i < n; i++)
        flush_mask(1UL << cpu, 0, 0);
}

volatile bool lab_calib_spin;
static uint64_t loop_ticks_per_kiter;      /* the empty loop, per 1000 iterations */

static void measure(const char *op, prim_fn *fn, unsigned long iters, unsigned long arg)
{
    uint64_t s[CAL_SAMPLES];
    char v[5][32], ovh[32], line[640];
    bool probe = fn == prim_empty;                 /* the validity probe: raw */

    fn(iters, arg);                                /* warm-up */
    for (int i = 0; i < CAL_SAMPLES; i++) {
        uint64_t t0 = rdtsc_ordered();
        fn(iters, arg);
        s[i] = rdtsc_ordered() - t0;
    }
    sort_u64(s, CAL_SAMPLES);
    uint64_t loop = probe ? 0 : loop_ticks_per_kiter * iters / 1000;
    if (probe)
        loop_ticks_per_kiter = s[CAL_SAMPLES / 2] * 1000 / iters;
    for (int i = 0; i < CAL_SAMPLES; i++)
        s[i] = s[i] > loop ? s[i] - loop : 0;
    fmt_ratio(ovh, sizeof(ovh), loop, iters);
    const int at[5] = { 0, CAL_SAMPLES / 10, CAL_SAMPLES / 2, CAL_SAMPLES * 9 / 10,
                        CAL_SAMPLES - 1 };
    for (int k = 0; k < 5; k++)
        fmt_ratio(v[k], sizeof(v[k]), s[at[k]], iters);
    int n = snprintf(line, sizeof(line),
        "@asilab {\"type\":\"calibration\",\"workload\":\"hv\",\"op\":\"%s\","
        "\"variant\":\"%s\",\"mode\":\"%s\",\"unit\":\"%s\",\"ops\":%lu,"
        "\"samples\":%d,\"min\":%s,\"p10\":%s,\"median\":%s,\"p90\":%s,\"max\":%s,"
        "\"overhead\":%s,\"overhead_subtracted\":%s,\"tsc_khz\":%lu}\n",
        op, asilab_variant, lab_mode_name(),
        lab_mode == ASILAB_MODE_TIMING ? "tsc_ticks" : "insns",
        iters, CAL_SAMPLES, v[0], v[1], v[2], v[3], v[4], ovh, probe ? "false" : "true",
        lab_tsc_khz);
    lab_emit_record(line, MIN((size_t)n, sizeof(line) - 1));
}

/* After SMP bring-up, before any domain exists (the pCPUs are idle). */
void lab_calibrate(void)
{
    uint32_t a, b, c, d;
    static const char *const invpcid_ops[4] = {
        "invpcid_address", "invpcid_context", "invpcid_all_global", "invpcid_all",
    };

    lab_tsc_khz = measure_tsc_khz();
    ns_per_tick_32 = (1000000UL << 32) / (lab_tsc_khz ? lab_tsc_khz : 1000000);
    measure("empty_loop", prim_empty, CAL_ITERS, 0);   /* first: the validity probe */
    measure("cr3_load", prim_cr3, 200, 0);
    cpuid_count(1, 0, &a, &b, &c, &d);
    if ((c & (1U << 17)) && !(read_cr3() & 0xfff)) {   /* PCID */
        uint64_t cr4 = read_cr4();
        write_cr4(cr4 | X86_CR4_PCIDE);
        measure("cr3_load_noflush", prim_cr3_noflush, 200, 0);
        write_cr4(cr4);
    }
    measure("invlpg", prim_invlpg, 200, (unsigned long)__va(0x100000));
    cpuid_count(7, 0, &a, &b, &c, &d);
    if (b & (1U << 10))                                /* INVPCID */
        for (unsigned long t = 0; t < 4; t++)
            measure(invpcid_ops[t], prim_invpcid, 200, t);
    measure("lgdt", prim_lgdt, 200, 0);
    measure("lldt", prim_lldt, 200, 0);
    measure("wrmsr", prim_wrmsr, 200, 0);
    if (nr_cpus_online > 1) {
        lab_calib_spin = true;                     /* pCPU 1 spins, IF set */
        measure("ipi_round_trip", prim_ipi, 50, 1);
        lab_calib_spin = false;
    }
}

