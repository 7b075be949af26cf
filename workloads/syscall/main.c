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
static unsigned long separate_user_l4(void)
{
    const uint64_t *boot = (const uint64_t *)start_info->pt_base;
    uint64_t *u = page_alloc();
    for (unsigned int s = 0; s < 512; s++)
        if (s < 256 || s >= 272)
            u[s] = boot[s];
    if (make_readonly(u))
        guest_panic("cannot make the user L4 read-only");
    unsigned long mfn = virt_to_mfn(u);
    if (mmuext1(MMUEXT_PIN_L4_TABLE, mfn, 0))
        guest_panic("pinning the user L4 failed");
    return mfn;
}

static void set_user_l4(unsigned long mfn)
{
    if (mmuext1(MMUEXT_NEW_USER_BASEPTR, mfn, 0))
        guest_panic("NEW_USER_BASEPTR failed");
}

void workload_main(void)
{
    guest_user_init();
    if (HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&kernel_marker) ||
        HYPERVISOR_set_segment_base(SEGBASE_GS_USER, (unsigned long)&user_marker))
        guest_panic("set_segment_base failed");
    unsigned long kernel_l4 = virt_to_mfn((void *)start_info->pt_base);
    set_user_l4(separate_user_l4());
    bench_op("null_syscall", null_syscalls, NULL, 1);
    set_user_l4(kernel_l4);
    bench_op("null_syscall_shared_l4", null_syscalls, NULL, 1);
}
