/* procswitch: a guest kernel switching between two guest processes, as a
 * 64-bit PV Linux does: each process has a kernel L4 (the kernel's
 * mappings plus its own) and a user L4 (its own mappings only); a switch
 * is NEW_BASEPTR + NEW_USER_BASEPTR in one mmuext_op, then the kernel
 * touches the process's P pages (pages=P1,P2,..., default 8,64,256).
 * Exposes what a new base pointer costs each strategy: one CR3 load
 * (shared), a stale root recopied on the way out (per-pCPU), a shadow
 * recopied (per-vCPU), and the TLB refill that follows. */
#include "mm.h"

const char workload_name[] = "procswitch";
const char *const workload_args[] = { "pages", NULL };

#define PROC_SLOT  1UL                       /* processes live at 512 GiB */
#define PROC_BASE  (PROC_SLOT << 39)
#define MAX_PAGES  256

struct proc { unsigned long kernel_l4, user_l4; };
static struct proc procs[2];
static unsigned long boot_l4;

/* A new table page: written while writable, then made read-only. */
static uint64_t *table_page(void)
{
    return page_alloc();
}

static unsigned long seal(uint64_t *t)
{
    if (make_readonly(t))
        guest_panic("cannot make a table page read-only");
    return virt_to_mfn(t);
}

/* One process: an L3 -> L2 -> L1 mapping `pages` fresh pages at PROC_BASE. */
static unsigned long build_region(unsigned long pages)
{
    uint64_t *l3 = table_page(), *l2 = table_page(), *l1 = table_page();
    for (unsigned long i = 0; i < pages; i++) {
        void *p = page_alloc();
        *(unsigned long *)p = i;
        l1[i] = ((uint64_t)virt_to_mfn(p) << 12) | PTE_FLAGS_RW;
    }
    l2[0] = ((uint64_t)seal(l1) << 12) | PTE_FLAGS_RW;
    l3[0] = ((uint64_t)seal(l2) << 12) | PTE_FLAGS_RW;
    return seal(l3);
}

static void build_proc(struct proc *pr, unsigned long pages)
{
    unsigned long region = build_region(pages);
    const uint64_t *boot = (const uint64_t *)start_info->pt_base;
    uint64_t *k = table_page(), *u = table_page();
    for (unsigned int s = 0; s < 256; s++)       /* the kernel's own slots */
        k[s] = boot[s];
    k[PROC_SLOT] = u[PROC_SLOT] = ((uint64_t)region << 12) | PTE_FLAGS_RW;
    pr->kernel_l4 = seal(k);
    pr->user_l4 = seal(u);
    if (mmuext1(MMUEXT_PIN_L4_TABLE, pr->kernel_l4, 0) ||
        mmuext1(MMUEXT_PIN_L4_TABLE, pr->user_l4, 0))
        guest_panic("pinning a process's L4s failed");
}

static void switch_to(const struct proc *pr)
{
    struct mmuext_op op[2] = {
        { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = pr->kernel_l4 },
        { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = pr->user_l4 },
    };
    if (HYPERVISOR_mmuext_op(op, 2, NULL, DOMID_SELF))
        guest_panic("process switch failed");
}

static uint64_t op_procswitch(void *ctx, unsigned long n)
{
    unsigned long pages = (unsigned long)ctx, sum = 0;
    uint64_t t = TIMED_LOOP(n,
        switch_to(&procs[i & 1]);
        for (unsigned long p = 0; p < pages; p++)
            sum += *(volatile unsigned long *)(PROC_BASE + p * PAGE_SIZE));
    if (n && sum != (n * pages * (pages - 1)) / 2)
        guest_panic("process pages read back wrong (%lu)", sum);
    return t;
}

void workload_main(void)
{
    char list[64] = "8,64,256", op[32];
    arg_get("pages", list, sizeof(list));
    unsigned long most = 0;
    for (const char *p = list; *p; p++)
        if (*p != ',') {
            const char *end;
            unsigned long v = simple_strtoul(p, &end, 10);
            if (end == p || !v || v > MAX_PAGES || (*end && *end != ','))
                guest_panic("pages=%s: a comma-separated list of 1..%d", list, MAX_PAGES);
            most = MAX(most, v);
            p = end - 1;
        }
    if (2 * (most + 5) > pages_free())        /* 5 table pages a process */
        guest_panic("pages=%s: two processes of %lu pages need %lu free pages, the domain "
                    "has %lu", list, most, 2 * (most + 5), pages_free());

    boot_l4 = virt_to_mfn((void *)start_info->pt_base);
    build_proc(&procs[0], most);
    build_proc(&procs[1], most);
    for (const char *p = list; *p;) {
        const char *end;
        unsigned long pages = simple_strtoul(p, &end, 10);
        snprintf(op, sizeof(op), "procswitch_%lu", pages);
        bench_op(op, op_procswitch, (void *)pages, 1);
        p = *end ? end + 1 : end;
    }
    struct mmuext_op back[2] = {
        { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = boot_l4 },
        { .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = 0 },
    };
    if (HYPERVISOR_mmuext_op(back, 2, NULL, DOMID_SELF))
        guest_panic("switching back to the boot tables failed");
}
