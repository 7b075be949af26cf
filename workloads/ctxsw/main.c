/* ctxsw: two vCPUs on one pCPU yielding to each other (SCHEDOP_yield),
 * so every yield is one context_switch in the hv.  mode=same: vCPUs 0
 * and 1 of one domain; mode=cross: vCPU 0 of two domains (instance 1 is
 * the partner).  Exposes the switch itself: saving/loading guest state
 * and the strategy's page-table switch (write_ptbase).
 * mode=preempt: the partner domain spins and never yields, so each of
 * our yields comes back only through the hv's timer preemption (one
 * time slice per round trip).
 * runstate=inpage|straddle (with mode=cross): the measuring vCPU first
 * registers a runstate area (VCPUOP_register_runstate_memory_area),
 * inside one page or across a page boundary, which the hv rewrites on
 * every switch; the workload checks the area really moves.
 * mode=wake (vcpus=2 spread=1, two or more pCPUs): cross-pCPU wake-up.
 * vCPU 1 blocks on another pCPU; vCPU 0 sends it an IPI event channel
 * and blocks; vCPU 1 wakes (the hv's IPI to its pCPU), sends back.  One
 * op is one wake-up across pCPUs (two per round trip). */
#include "event.h"

const char workload_name[] = "ctxsw";
const char *const workload_args[] = { "mode", "runstate", NULL };
static char partner_stack[8192] __aligned(16);

/* Each vCPU points its FS and kernel GS bases at its own marker; after
 * many switches they must still be its own (context_switch saves and
 * loads them). */
static unsigned long markers[2][2];

static void set_bases(unsigned int who)
{
    markers[who][0] = 0xf5000 + who;
    markers[who][1] = 0x65000 + who;
    if (HYPERVISOR_set_segment_base(SEGBASE_FS, (unsigned long)&markers[who][0]) ||
        HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&markers[who][1]))
        guest_panic("set_segment_base failed");
}

static void check_bases(unsigned int who)
{
    unsigned long fs, gs;
    __asm__ volatile("mov %%fs:0, %0; mov %%gs:0, %1" : "=r"(fs), "=r"(gs));
    if (fs != 0xf5000 + who || gs != 0x65000 + who)
        guest_panic("vCPU %u: FS/GS base lost across switches (%#lx %#lx)", who, fs, gs);
}

static void partner_loop(void)
{
    set_bases(1);
    for (unsigned long i = 1;; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        if (!(i & 1023))
            check_bases(1);
    }
}

static void spinner(void)
{
    for (unsigned long i = 0;; i++)     /* no pause: QEMU exits its loop on it */
        __asm__ volatile("" : "+r"(i));
}

/* Each iteration: our yield switches to the partner, whose yield
 * switches back: two context switches. */
BENCH_FN(yields, HYPERVISOR_sched_op(SCHEDOP_yield, NULL))

/* A page pair with room for the area at the end of the first page. */
static char runstate_pages[2 * PAGE_SIZE] __aligned(4096);

static struct vcpu_runstate_info *register_runstate(const char *where)
{
    struct vcpu_runstate_info *ri = (void *)(runstate_pages + 64);
    if (!strcmp(where, "straddle"))
        ri = (void *)(runstate_pages + PAGE_SIZE - 24);
    else if (strcmp(where, "inpage"))
        guest_panic("runstate=inpage or runstate=straddle expected, got '%s'", where);
    struct vcpu_register_runstate_memory_area a = { .addr.v = ri };
    long rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a);
    if (rc)
        guest_panic("registering the runstate area failed: %ld", rc);
    return ri;
}

static void check_runstate(volatile struct vcpu_runstate_info *ri, uint64_t entry0,
                           uint64_t run0, uint64_t wait0)
{
    if (ri->state != RUNSTATE_running || ri->state_entry_time <= entry0 ||
        ri->time[RUNSTATE_running] <= run0 || ri->time[RUNSTATE_runnable] <= wait0)
        guest_panic("runstate area not updated: state %d entry %lu->%lu running %lu->%lu "
                    "runnable %lu->%lu", ri->state, entry0, ri->state_entry_time, run0,
                    ri->time[RUNSTATE_running], wait0, ri->time[RUNSTATE_runnable]);
}

static unsigned int port0, port1;
static volatile unsigned int partner_pcpu = ~0U;

static void waker(void)
{
    partner_pcpu = lab_this_pcpu(1);
    for (;;) {
        evtchn_wait(1, port1);
        evtchn_send(port0);
    }
}

BENCH_FN(wake_round_trips, evtchn_send(port1); evtchn_wait(0, port0))

static void cross_pcpu_wake(void)
{
    if (lab_info.nr_pcpus < 2) {
        printf("ctxsw: mode=wake needs two pCPUs; none to wake across, nothing measured\n");
        return;
    }
    map_shared_info();
    port0 = evtchn_bind_ipi(0);
    port1 = evtchn_bind_ipi(1);
    if (vcpu_start(1, waker, partner_stack + sizeof(partner_stack)))
        guest_panic("starting vCPU 1 failed");
    while (partner_pcpu == ~0U)       /* pause: lets QEMU run the other pCPU */
        __asm__ volatile("pause" ::: "memory");
    if (partner_pcpu == lab_info.pcpu)
        guest_panic("vCPU 1 runs on pCPU %u too: not a cross-pCPU wake-up", partner_pcpu);
    bench_op("wake_cross_pcpu", wake_round_trips, NULL, 2);
}

void workload_main(void)
{
    char mode[16] = "";

    arg_get("mode", mode, sizeof(mode));
    set_bases(0);
    if (!strcmp(mode, "same")) {
        int rc = vcpu_start(1, partner_loop, partner_stack + sizeof(partner_stack));
        if (rc)
            guest_panic("starting vCPU 1 failed: %d", rc);
        bench_op("yield_same_domain", yields, NULL, 2);
        check_bases(0);
    } else if (!strcmp(mode, "cross")) {
        if (lab_info.instance != 0)
            partner_loop();
        char where[16];
        if (arg_get("runstate", where, sizeof(where))) {
            volatile struct vcpu_runstate_info *ri = register_runstate(where);
            uint64_t e0 = ri->state_entry_time, r0 = ri->time[RUNSTATE_running],
                     w0 = ri->time[RUNSTATE_runnable];
            bench_op(!strcmp(where, "straddle") ? "yield_cross_domain_runstate_straddle"
                                                : "yield_cross_domain_runstate", yields, NULL, 2);
            check_runstate(ri, e0, r0, w0);
        } else {
            /* domains=K: one yield goes round all K domains (a scaling
             * series: K vCPUs sharing the pCPU). */
            char dv[8] = "2", op[40] = "yield_cross_domain";
            arg_get("domains", dv, sizeof(dv));
            unsigned long k = simple_strtoul(dv, NULL, 10);
            if (k < 2 || k > 8)
                guest_panic("mode=cross needs domains=2..8, got '%s'", dv);
            if (k > 2)
                snprintf(op, sizeof(op), "yield_cross_domain_x%lu", k);
            bench_op(op, yields, NULL, k);
        }
        check_bases(0);
    } else if (!strcmp(mode, "wake")) {
        cross_pcpu_wake();
    } else if (!strcmp(mode, "preempt")) {
        if (lab_info.instance != 0)
            spinner();
        bench_op("yield_to_spinner", yields, NULL, 2);
    } else {
        guest_panic("mode=same, cross, wake or preempt expected, got '%s'", mode);
    }
}
