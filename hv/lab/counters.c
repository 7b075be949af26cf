/* Event counters (per pCPU) and the lab hypercall that hands them, and
 * the run's identity (variant, mode, placement), to guests. */
#include "domain.h"
#include "lab.h"
#include "lib.h"
#include "mm_audit.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

struct lab_pcpu_counters lab_counters[NR_CPUS];
unsigned int lab_mode;

void write_cr3_counted(uint64_t cr3)
{
    raw_write_cr3(cr3);
    if (cr3 & X86_CR3_NOFLUSH)
        this_cpu_count(cr3_load_noflush, 1);
    else
        this_cpu_count(cr3_load, 1);
}

static bool tsc_invariant(void)
{
    uint32_t a, b, c, d;
    cpuid_count(0x80000000, 0, &a, &b, &c, &d);
    if (a < 0x80000007)
        return false;
    cpuid_count(0x80000007, 0, &a, &b, &c, &d);
    return d & (1U << 8);
}

long do_asilab_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current;

    switch (cmd) {
#ifdef ASILAB_LEAN
    case ASILAB_OP_get_counters:
    case ASILAB_OP_get_counters_remote:
        return -XEN_EOPNOTSUPP;             /* a lean image: no counters */
#else
    case ASILAB_OP_get_counters:
    case ASILAB_OP_get_counters_remote: {
        /* This pCPU's counters, or the sums over the others.  ipi_sent is
         * not counted on the IPI path: it is ipi_flush + ipi_event. */
        struct asilab_counters c;
        unsigned int me = smp_processor_id();
        memset(&c, 0, sizeof(c));
        for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++)
            if ((cpu == me) == (cmd == ASILAB_OP_get_counters))
                for (unsigned int e = 0; e < NR_ASILAB_EVENTS; e++)
                    c.ev[e] += ACCESS_ONCE(lab_counters[cpu].ev[e]);
        c.ev[EV_ipi_sent] = c.ev[EV_ipi_flush] + c.ev[EV_ipi_event];
        return copy_to_guest(arg, &c, sizeof(c));
    }
#endif
    case ASILAB_OP_get_info: {
        struct asilab_info info;
        memset(&info, 0, sizeof(info));
        strlcpy(info.variant, asilab_variant, sizeof(info.variant));
        info.mode = lab_mode;
        info.pcpu = smp_processor_id();
        info.nr_pcpus = nr_cpus_online;
        info.domid = v->domain->domain_id;
        info.vcpu_id = v->vcpu_id;
        info.tsc_invariant = tsc_invariant();
        info.tsc_khz = lab_tsc_khz;
        info.instance = v->domain->instance;
#ifndef ASILAB_LEAN
        info.counters = 1;
#endif
        return copy_to_guest(arg, &info, sizeof(info));
    }
    case ASILAB_OP_audit: {
        if (arg > 1)
            return -XEN_EINVAL;
        struct domain *d = v->domain;
        unsigned int n = audit_domain(d);
        d->audit = arg;
        d->audits++;
        d->audits_failed += n != 0;
        d->audit_violations += n;
        return n;
    }
    case ASILAB_OP_probe_arm: {
        struct pcpu *c = this_pcpu();
        c->probe_pattern = arg;
        c->probe_found = -1;
        c->probe_domain = v->domain;
        c->probe_armed = true;
        return 0;
    }
    case ASILAB_OP_probe_result: {
        /* Only for the domain that armed it: otherwise it would be an
         * oracle on what other domains left on this stack. */
        struct pcpu *c = this_pcpu();
        if (c->probe_domain != v->domain)
            return -XEN_EPERM;
        return c->probe_found < 0 ? -XEN_EAGAIN : c->probe_found;
    }
    case ASILAB_OP_exposure:
        lab_emit_exposure();
        return 0;
    case ASILAB_OP_audit_result: {
        struct domain *d = v->domain;
        struct asilab_audit r = { d->audits, d->audits_failed, d->audit_violations };
        return copy_to_guest(arg, &r, sizeof(r));
    }
    default:
        return -XEN_ENOSYS;
    }
}
