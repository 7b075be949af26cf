/* abi, multicall: every entry through the ordinary dispatch with its
 * result written back; failing entries do not stop the batch, a nested
 * multicall is refused per entry (-EINVAL), an unreadable list is
 * -EFAULT before anything runs, nr_calls is 32 bits, a long batch is
 * continued transparently, and HYPERVISOR_iret as an entry ends it. */
#include "abi.h"

#define SENTINEL 0x5a5a5a5a5a5a5a5aUL
#define MAGIC    0x1234abcd5678UL

static void fill(struct multicall_entry *e, unsigned long op, unsigned long a0,
                 unsigned long a1, unsigned long a2, unsigned long a3)
{
    *e = (struct multicall_entry){ .op = op, .result = SENTINEL,
                                   .args = { a0, a1, a2, a3 } };
}

/* A multicall entered by jumping into its hypercall-page stub with an
 * iret frame below the two registers the stub pushes (%rcx, then %r11:
 * the frame's r11 and rax slots); the iret resumes at 1: with
 * %rax = MAGIC and the stack as before. */
static long multicall_then_iret(struct multicall_entry *mc, unsigned long n)
{
    long rax;
    __asm__ volatile("mov %%rsp, %%r9\n\t"
                     "pushq $0xe02b\n\t"             /* ss */
                     "pushq %%r9\n\t"                /* rsp */
                     "pushfq\n\t"                    /* rflags */
                     "pushq $0xe030\n\t"             /* cs: the kernel's */
                     "lea 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"               /* rip */
                     "pushq $0\n\t"                  /* flags */
                     "pushq $0\n\t"                  /* rcx */
                     "movabs %[magic], %%r11\n\t"    /* -> the rax slot */
                     "jmp hypercall_page + %c[nr] * 32\n"
                     "1:"
                     : "=a"(rax), "+D"(mc), "+S"(n)
                     : [magic] "i"(MAGIC), [nr] "i"(__HYPERVISOR_multicall)
                     : "rcx", "rdx", "r8", "r9", "r10", "r11", "memory");
    return rax;
}

void multicall_cases(void)
{
    static struct multicall_entry mc[130];
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    static const char msg[] = "abi: a line written from inside a multicall\n";
    char *probe = page_alloc();
    uint64_t probe_pte = pte_maddr(probe, 1), probe_val = pte_read(probe, 1);
    struct mmu_update ro = { probe_pte, probe_val & ~PTE_RW };
    struct mmu_update bad = { 1UL << 40, 0 };
    unsigned int done = 99;

    /* Three families, one of them under the mm_lock, each as if called
     * on its own. */
    fill(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
    fill(&mc[1], __HYPERVISOR_console_io, CONSOLEIO_write, sizeof(msg) - 1,
         (unsigned long)msg, 0);
    fill(&mc[2], __HYPERVISOR_mmu_update, (unsigned long)&ro, 1, (unsigned long)&done,
         DOMID_SELF);
    check("multicall of 3", HYPERVISOR_multicall(mc, 3), 0);
    check("entry 0: xen_version", mc[0].result, ver);
    check("entry 1: console_io", mc[1].result, 0);
    check("entry 2: mmu_update", mc[2].result, 0);
    check("entry 2's pdone", done, 1);
    CHECK_TRUE("entry 2 was applied", !(pte_read(probe, 1) & PTE_RW));

    /* Failing entries, an unknown hypercall and a nested multicall: each
     * gets its own error and the batch goes on. */
    ro.val = probe_val;
    fill(&mc[0], __HYPERVISOR_mmu_update, (unsigned long)&bad, 1, 0, DOMID_SELF);
    fill(&mc[1], 40, 0, 0, 0, 0);
    fill(&mc[2], __HYPERVISOR_multicall, (unsigned long)&mc[4], 1, 0, 0);
    fill(&mc[3], __HYPERVISOR_mmu_update, (unsigned long)&ro, 1, 0, DOMID_SELF);
    fill(&mc[4], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
    check("multicall with failing entries", HYPERVISOR_multicall(mc, 4), 0);
    check("entry 0: mmu_update of a frame beyond RAM", mc[0].result, -XEN_EINVAL);
    check("entry 1: hypercall 40", mc[1].result, -XEN_ENOSYS);
    check("entry 2: a nested multicall", mc[2].result, -XEN_EINVAL);
    check("entry 2's own list did not run", mc[4].result, SENTINEL);
    check("entry 3: mmu_update restoring the PTE", mc[3].result, 0);
    check("the PTE is back", pte_read(probe, 1), probe_val);

    /* Bad lists. */
    check("a list in hv memory", HYPERVISOR_multicall((void *)0xffff830000000000UL, 1),
          -XEN_EFAULT);
    fill(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
    check("a list running into the canonical hole",
          HYPERVISOR_multicall((void *)(0x0000800000000000UL - 64), 2), -XEN_EFAULT);
    check("nr_calls 0", HYPERVISOR_multicall(mc, 0), 0);
    check("nothing ran", mc[0].result, SENTINEL);
    check("nr_calls is 32 bits (1 << 32 | 1 is 1)", HYPERVISOR_multicall(mc, (1UL << 32) | 1),
          0);
    check("so entry 0 ran", mc[0].result, ver);
    /* A list whose second entry is unreadable: the first ran. */
    char *edge = page_alloc(), *gap = page_alloc();       /* consecutive */
    check("unmap the page after it", HYPERVISOR_update_va_mapping((unsigned long)gap, 0,
          UVMF_INVLPG), 0);
    struct multicall_entry *last = (void *)(edge + 4096 - sizeof(*last));
    fill(last, __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
    check("a list whose 2nd entry is unmapped", HYPERVISOR_multicall(last, 2), -XEN_EFAULT);
    check("its 1st entry ran", last->result, ver);

    /* Longer than one preemption batch: continued, all results in. */
    for (int i = 0; i < 130; i++)
        fill(&mc[i], __HYPERVISOR_xen_version, i == 129 ? 99 : XENVER_version, 0, 0, 0);
    check("a multicall of 130", HYPERVISOR_multicall(mc, 130), 0);
    unsigned int good = 0;
    for (int i = 0; i < 129; i++)
        good += mc[i].result == (unsigned long)ver;
    check("129 results written", good, 129);
    check("entry 129: xen_version 99", mc[129].result, -XEN_ENOSYS);

    /* HYPERVISOR_iret as an entry: it returns through the frame, and the
     * entries after it never run. */
    fill(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
    fill(&mc[1], __HYPERVISOR_iret, 0, 0, 0, 0);
    fill(&mc[2], __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
    check("a multicall ending in iret returns the frame's rax", multicall_then_iret(mc, 3),
          MAGIC);
    check("entry 0 ran", mc[0].result, ver);
    check("entry 1's result is that rax", mc[1].result, MAGIC);
    check("entry 2 did not run", mc[2].result, SENTINEL);
}
