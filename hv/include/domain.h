/* Domains, vCPUs and pCPUs: the state the core schedules and switches. */
#ifndef ASILAB_DOMAIN_H
#define ASILAB_DOMAIN_H
#include "types.h"
#include "config.h"
#include "public/xen.h"
#include "public/vcpu.h"
#include "spinlock.h"
#include "mapcache.h"

struct domain;

/* Event channel states, as Xen's ECS_*; port 0 is reserved. */
#define NR_EVTCHN   4096           /* the 64-bit 2-level ABI's maximum */
#define EVTCHN_free        0
#define EVTCHN_reserved    1
#define EVTCHN_unbound     2
#define EVTCHN_interdomain 3
#define EVTCHN_virq        5
#define EVTCHN_ipi         6
#define NR_VIRQS_HV        24

struct evtchn {
    uint8_t state;
    bool xen_consumer;               /* unbound, the hv is the remote end
                                        (Xen's xen_consumer): a domU's
                                        console port (console_ring.c);
                                        here, the struct stays 16 bytes */
    uint16_t vcpu;                   /* notify vCPU */
    uint16_t remote_dom;             /* unbound: who may bind; interdomain: peer */
    uint16_t virq;                   /* virq */
    uint32_t remote_port;            /* interdomain */
    uint8_t priority;                /* FIFO ABI queue (0 highest) */
    uint8_t last_vcpu, last_priority;/* FIFO: the queue it was last linked on */
    bool fifo_pending;               /* FIFO: pending, no event word yet */
};
struct evtchn_fifo_domain;

struct console_line {
    char buf[4096];
    unsigned int len;
};

/* A vCPU's runstate: RUNSTATE_running/runnable/blocked/offline, Xen's
 * values (public/vcpu.h). */

#define TF_kernel_mode (1U << 0)

struct vcpu {
    unsigned int vcpu_id;
    uint32_t vcpu_info_mfn;          /* vcpu_info's frame when moved, holding
                                        a writable type reference (0: none;
                                        in the hole before `domain`, so the
                                        structure keeps its size) */
    struct domain *domain;
    unsigned int processor;          /* pCPU it is assigned to */
    unsigned int dirty_cpu;          /* pCPU whose TLB may hold its tables, or NO_CPU */
    unsigned int runstate;
    bool initialised;
    bool is_idle;
    struct vcpu *rq_next;            /* run-queue link */
    struct vcpu_info *vcpu_info;     /* its slot in shared_info, or the area
                                        VCPUOP_register_vcpu_info moved it
                                        to (Xen's v->vcpu_info) */

    /* Guest state while not running (Xen: v->arch.user_regs etc.). */
    struct cpu_user_regs user_regs;
    unsigned int flags;              /* TF_kernel_mode */
    mfn_t guest_table;               /* kernel L4 */
    mfn_t guest_table_user;          /* user L4, 0 = none */
    unsigned long kernel_sp, kernel_ss;
    struct trap_info trap_ctxt[256];
    unsigned long event_callback, failsafe_callback, syscall_callback;
    unsigned long syscall32_callback, sysenter_callback;
    bool syscall_disables_events, failsafe_disables_events;
    bool syscall32_disables_events, sysenter_disables_events;
    uint64_t fs_base, gs_base_kernel, gs_base_user;

    /* Emulated privileged state (hv/pv/emul-priv-op.c), as Xen's
     * arch.pv.ctrlreg, arch.dr*, arch.pv.iopl and iobmp. */
    unsigned long ctrlreg[5];        /* [0]: CR0.TS, [2]: CR2, [4]: guest CR4 */
    unsigned long dr[4], dr6, dr7;   /* debug registers as the guest set them */
    unsigned int dr7_emul;           /* I/O breakpoint enables (CR4.DE) */
    unsigned int iopl;               /* virtual IOPL (X86_EFLAGS_IOPL bits) */
    unsigned long iobmp;             /* PHYSDEVOP_set_iobitmap: guest address */
    unsigned int iobmp_limit;        /* ports it covers */

    /* Descriptor tables (hv/pv/descriptor.c). */
    uint64_t *gdt_ldt_l1e;           /* +stashed_l1: the L1 entries of the
                                      * GDT/LDT window (32, via the directmap) */
    mfn_t gdt_frames[14];            /* typed PGT_seg_desc while held */
    unsigned int gdt_ents;           /* 0: the pCPU's default GDT */
    unsigned long ldt_base;          /* guest virtual address */
    unsigned int ldt_ents;

    void *strategy_data;             /* owned by the linked strategy */

    /* x87/SSE state, switched eagerly (FXSAVE/FXRSTOR): no domain sees
     * another's registers. */
    uint8_t fpu[512] __aligned(16);

    /* VCPUOP_register_runstate_memory_area */
    unsigned long runstate_area;     /* guest virtual address, 0: none */
    mfn_t runstate_mfn[2];           /* the frames under it when registered,
                                        each holding a writable type
                                        reference until the next
                                        registration (0: none) */
    uint64_t runstate_entry;         /* hv time (ns) of the last change */
    uint64_t runstate_time[4];       /* ns spent in each runstate */
    uint32_t virq_to_evtchn[NR_VIRQS_HV];   /* bound VIRQ ports, 0: none */

    /* Timers (hv/sched/vcpu_timer.c), deadlines in hv ns, 0: off. */
    uint64_t singleshot_deadline;
    uint64_t periodic_period, periodic_next;
    uint64_t poll_deadline;
    bool polling;                    /* SCHEDOP_poll in progress */
    unsigned int nr_poll_ports;
    uint32_t poll_ports[128];

    struct mapcache_vcpu mapcache;   /* +sparse: hv/include/mapcache.h */
};

enum domain_state { DOM_running, DOM_shutdown, DOM_crashed };

struct domain {
    unsigned int domain_id;
    char name[32];
    unsigned int instance;           /* which of its module's domains= copies */
    bool is_driver;                  /* the run ends when all drivers end */
    enum domain_state state;
    unsigned int shutdown_reason;
    char crash_reason[96];
    unsigned int nr_vcpus;
    struct vcpu *vcpu[MAX_VCPUS];
    unsigned long nr_pages;
    mfn_t *p2m;                      /* pfn -> mfn, hv copy */
    mfn_t shared_info_mfn;
    mfn_t perdomain_l3;              /* slot 260 table of this domain */
    spinlock_t mm_lock;              /* its frames' types and counts */
    spinlock_t console_lock;         /* console_io_line, console_ring_line,
                                        the console ring's indices */
    spinlock_t evtchn_lock;
    struct evtchn evtchn[NR_EVTCHN];
    struct evtchn_fifo_domain *evtchn_fifo;   /* NULL: the 2-level ABI */
    unsigned long vm_assist;         /* VMASST_TYPE_* enabled (vm_assist.c) */
    bool audit;                      /* audit after each hypercall */
    uint64_t audits, audits_failed, audit_violations;
    /* Guest console lines being assembled (hv/pv/console.c): one for
     * console_io, one for the domU console ring (in frames of its own,
     * from the builder), so that a guest writing the same text both ways
     * (as XTF does) never mixes the two. */
    struct console_line console_io_line, *console_ring_line;
    /* domU console ring (hv/pv/console_ring.c), the hv its backend: the
     * page (held with a writable type reference) and the domU's port. */
    mfn_t console_mfn;               /* 0: none (dom0) */
    uint32_t console_port;
    bool evtchn_resetting;           /* EVTCHNOP_reset in progress */
};

extern struct domain *domains[MAX_DOMAINS];
extern unsigned int nr_domains;

/* Per-pCPU state that is not on the stack. */
struct pcpu {
    unsigned int cpu_id;
    unsigned int apic_id;
    bool online;
    struct vcpu *curr;
    struct vcpu *idle;
    spinlock_t rq_lock;              /* curr, run queue, runstates */
    struct vcpu *rq_head, *rq_tail;  /* runnable, excluding curr */
    unsigned long softirq_pending;
    void *strategy_data;
    unsigned int ldt_ents_loaded;    /* what LDTR holds now (0: none) */
    struct vcpu *last_guest;         /* whose state the hardware holds and whose
                                        tables CR3 holds (idle keeps both:
                                        Xen's lazy curr_vcpu) */
    union {                          /* work for exit_to_guest after a switch */
        struct {
            bool stack_zero_pending; /* +stackzero: a non-lazy switch */
            bool probe_scan_pending; /* the armed leak probe */
        };
        uint16_t after_switch;
    };
    bool probe_armed;                /* stack-leak probe (lab hypercall) */
    struct domain *probe_domain;     /* who armed it: the only reader */
    uint64_t probe_pattern;
    long probe_found;                /* -1: not scanned yet */
    bool full_gdt_loaded;            /* GDTR points at curr's window */
    bool timer_armed;                /* the LAPIC one-shot is counting */
    bool guest_timers;               /* a vCPU here has used a timer */
    uint64_t slice_deadline;         /* with guest_timers: when the slice ends */
} __attribute__((aligned(64)));      /* a cache line (or more) of its own */
extern struct pcpu pcpus[NR_CPUS];
extern unsigned int nr_cpus_online;

/* The top of every pCPU stack, as Xen's struct cpu_info: the guest frame
 * that entry code saves and restore_all_guest restores, then per-CPU
 * fields that entry assembly reaches at fixed offsets from the stack. */
struct cpu_info {
    struct cpu_user_regs guest_cpu_user_regs;
    unsigned int processor_id;
    unsigned int _pad;
    struct vcpu *current_vcpu;
    uint64_t xen_cr3;    /* !=0: CR3 to load on entry to the hv  */
    uint64_t pv_cr3;     /* !=0: CR3 to load on exit to the guest */
    uint8_t root_pgt_changed;   /* FLUSH_ROOT_PGTBL arrived (strategies) */
    uint8_t _pad3[7];
    /* The counter entry.S's xen_cr3/pv_cr3 loads bump: this pCPU's
     * cr3_load, or cr3_load_noflush when PCIDs are on (make_cr3 tags
     * every such load no-flush then).  Keeps (sizeof - offsetof(es))
     * % 16 == 0. */
    uint64_t *cr3_load_count;
};
/* The CPU aligns its exception frame to 16 bytes: TSS.RSP0 (= &regs.es)
 * must be 16-aligned, so the stack top minus sizeof(cpu_info) is not. */

static inline struct cpu_info *get_cpu_info(void)
{
    unsigned long sp;
    __asm__("mov %%rsp,%0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1) - 1;
}
#define guest_cpu_user_regs() (&get_cpu_info()->guest_cpu_user_regs)
#define smp_processor_id()    (get_cpu_info()->processor_id)
#define current               (get_cpu_info()->current_vcpu)
#define this_pcpu()           (&pcpus[smp_processor_id()])

/* Xen's control and hardware domain (XSM's default policy: the one
 * XSM_PRIV operations are allowed to) is dom0, the first module. */
static inline bool is_control_domain(const struct domain *d)
{
    return d->domain_id == 0;
}

static inline bool guest_kernel_mode(const struct vcpu *v)
{
    return v->flags & TF_kernel_mode;
}

/* The guest L4 of v's current mode (user mode without a user L4 never
 * runs: do_iret refuses it). */
static inline mfn_t vcpu_guest_root(const struct vcpu *v)
{
    return guest_kernel_mode(v) || !v->guest_table_user ? v->guest_table
                                                        : v->guest_table_user;
}

/* hv/pv/domain_build.c */
struct boot_module;
int construct_domains(const struct boot_module *mod, unsigned int *next_domid);
void start_domains(void);
/* hv/pv/event_channel.c */
void evtchn_set_pending(struct domain *d, unsigned int port);
void evtchn_init(struct domain *d);
bool evtchn_port_is_pending(struct domain *d, uint32_t port);
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
bool vcpu_events_pending(struct vcpu *v);
long evtchn_alloc_xen_consumer(struct domain *d);
void notify_via_xen_event_channel(struct domain *d, uint32_t port);
/* hv/pv/domain.c */
struct domain *domain_by_id(unsigned int id);
void domain_crash(struct domain *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void domain_shutdown(struct domain *d, unsigned int reason);
int vcpu_initialise_context(struct vcpu *v, const struct vcpu_guest_context *c);
int map_vcpu_info(struct vcpu *v, uint64_t mfn, unsigned int offset);

#endif
