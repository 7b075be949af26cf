/* syscall: a guest-user null system call.  SYSCALL from guest user mode
 * enters the hv, which toggles to guest kernel mode (CR3 = guest_table)
 * and bounces to the guest kernel's syscall callback; the kernel returns
 * with HYPERVISOR_iret, which toggles back (CR3 = guest_table_user).
 * Exposes the cost of the two page-table switches of a PV syscall.
 *   null_syscall: with a user L4 of its own, as 64-bit PV Linux has (the
 *     guest's mappings, the same as the kernel L4's here, in a second L4
 *     frame): each toggle really changes the guest's root table;
 *   null_syscall_shared_l4: the kernel L4 is also the user L4 (a best
 *     case no PV kernel has: a toggle changes no root).
 * Then it checks that changes to the user L4 made in kernel mode (the
 * user L4 not live) reach user mode, through mmu_update and by freeing
 * the frame as an L4, rewriting it and validating it again: a strategy's
 * root shadowing the user L4 must be recopied when it is next loaded.
 * The batch is timed inside user mode; the harness runs it in kernel. */
#include "mm.h"

const char workload_name[] = "syscall";
const char *const workload_args[] = { NULL };
static char user_stack[16384] __aligned(16);

struct batch { unsigned long n; uint64_t ticks; bool bad_gs; };

/* Guest kernel and user mode have their own GS base (toggle_guest_mode
 * swaps them): each mode must see its own marker. */
static unsigned long kernel_marker = 0x6b, user_marker = 0x75;

static unsigned long gs0(void)
{
    unsigned long v;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

static void user_batch(void *arg)
{
    struct batch *b = arg;
    b->bad_gs = gs0() != user_marker;    /* reported by the kernel */
    b->ticks = TIMED_LOOP(b->n, __asm__ volatile("syscall" : : "a"(0) : "rcx", "r11", "memory"));
}

static uint64_t null_syscalls(void *ctx, unsigned long n)
{
    struct batch b = { .n = n };
    run_in_user(user_batch, &b, user_stack + sizeof(user_stack));
    if (b.bad_gs || gs0() != kernel_marker)
        guest_panic("GS base of user or kernel mode lost across toggles");
    return b.ticks;
}

/* A second L4 with the guest's own slots of the boot L4 (the hv fills
 * in its own slots when the table is validated), pinned. */
static uint64_t *separate_user_l4(void)
{
    const uint64_t *boot = (const uint64_t *)start_info->pt_base;
    uint64_t *u = page_alloc();
    for (unsigned int s = 0; s < 512; s++)
        if (s < 256 || s >= 272)
            u[s] = boot[s];
    if (make_readonly(u))
        guest_panic("cannot make the user L4 read-only");
    if (mmuext1(MMUEXT_PIN_L4_TABLE, virt_to_mfn(u), 0))
        guest_panic("pinning the user L4 failed");
    return u;
}

static void set_user_l4(unsigned long mfn)
{
    if (mmuext1(MMUEXT_NEW_USER_BASEPTR, mfn, 0))
        guest_panic("NEW_USER_BASEPTR failed");
}

/* The checks give the user L4 an alias of the image (the boot L4's
 * slot 0) in slot ALIAS_SLOT while kernel mode runs; user mode must then
 * read the marker through it. */
#define ALIAS_SLOT 1UL
static const unsigned long alias_marker = 0xa11a5;
static volatile unsigned long alias_seen;

static void read_alias(void *arg)
{
    alias_seen = *(volatile const unsigned long *)((ALIAS_SLOT << 39) +
                                                   (unsigned long)&alias_marker);
}

static void expect_alias(const char *what)
{
    alias_seen = 0;
    run_in_user(read_alias, NULL, user_stack + sizeof(user_stack));
    if (alias_seen != alias_marker)
        guest_panic("user mode misses %s (read %#lx)", what, alias_seen);
}

static void set_user_l4_slot(unsigned long user_l4, unsigned long slot, uint64_t val)
{
    struct mmu_update u = { ((uint64_t)user_l4 << 12) + slot * 8, val };
    if (HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF))
        guest_panic("mmu_update of the user L4's slot %lu failed", slot);
}

/* An entry of the user L4 changed (mmu_update) while it is not live. */
static void check_user_l4_change(unsigned long user_l4)
{
    const uint64_t *boot = (const uint64_t *)start_info->pt_base;
    set_user_l4(user_l4);
    null_syscalls(NULL, 0);             /* user mode once on this user L4 */
    set_user_l4_slot(user_l4, ALIAS_SLOT, boot[0]);
    expect_alias("a change to its L4");
    set_user_l4_slot(user_l4, ALIAS_SLOT, 0);
}

/* The user L4's frame freed as an L4 (no base pointer, unpinned),
 * rewritten by plain stores and validated as an L4 again: user mode must
 * see the new contents (whatever a strategy built from the old ones is
 * no copy of the new L4). */
static void check_user_l4_reuse(uint64_t *u, unsigned long kernel_l4)
{
    const uint64_t *boot = (const uint64_t *)start_info->pt_base;
    unsigned long mfn = virt_to_mfn(u);
    set_user_l4(mfn);
    null_syscalls(NULL, 0);             /* user mode once: no alias yet */
    set_user_l4(kernel_l4);
    if (mmuext1(MMUEXT_UNPIN_TABLE, mfn, 0) ||
        HYPERVISOR_update_va_mapping((unsigned long)u, ((uint64_t)mfn << 12) | PTE_FLAGS_RW,
                                     UVMF_INVLPG))
        guest_panic("cannot free the user L4 and map it writable");
    u[ALIAS_SLOT] = boot[0];
    if (make_readonly(u) || mmuext1(MMUEXT_PIN_L4_TABLE, mfn, 0))
        guest_panic("cannot validate the rewritten user L4 again");
    set_user_l4(mfn);
    expect_alias("the new contents of a reused L4 frame");
}

void workload_main(void)
{
    guest_user_init();
    if (HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&kernel_marker) ||
        HYPERVISOR_set_segment_base(SEGBASE_GS_USER, (unsigned long)&user_marker))
        guest_panic("set_segment_base failed");
    unsigned long kernel_l4 = virt_to_mfn((void *)start_info->pt_base);
    uint64_t *user_l4 = separate_user_l4();
    set_user_l4(virt_to_mfn(user_l4));
    bench_op("null_syscall", null_syscalls, NULL, 1);
    set_user_l4(kernel_l4);
    bench_op("null_syscall_shared_l4", null_syscalls, NULL, 1);
    check_user_l4_change(virt_to_mfn(user_l4));
    check_user_l4_reuse(user_l4, kernel_l4);
    set_user_l4(kernel_l4);
}
