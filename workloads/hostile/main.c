/* hostile: a guest that misbehaves on purpose.  Privileged instructions,
 * touches of hypervisor memory, unknown hypercalls and bad hypercall
 * arguments must each get the right fault or error code while the hv
 * keeps running; the results go out as one robustness record.  At the
 * end it crashes itself with no trap handler installed, which the hv
 * must report as a crash (not a pass) while other domains finish.
 * The PV MMU and descriptor-table cases are in mm_cases.c, the emulator,
 * FIFO, timer and vcpu_info cases in abi_cases.c; random=N
 * seed=S adds N random calls with the hv auditing after each (random.c). */
#include "hostile.h"

const char workload_name[] = "hostile";
const char *const workload_args[] = { "crash", "random", "seed", NULL };

unsigned int calls, mismatches;
unsigned int err_counts[128];


void count_rc(long rc)
{
    calls++;
    if (rc < 0 && -rc < 128)
        err_counts[-rc]++;
}

void expect_rc(const char *what, long rc, long want)
{
    count_rc(rc);
    if (rc != want) {
        mismatches++;
        printf("hostile: %s: expected %ld, got %ld\n", what, want, rc);
    }
}

void expect_true(const char *what, bool cond)
{
    if (!cond) {
        mismatches++;
        printf("hostile: %s: state changed\n", what);
    }
}

static void probe_privileged(void)
{
    EXPECT_FAULT("cli", 13, "cli");
    EXPECT_FAULT("hlt", 13, "hlt");
    /* mov to CR3 is emulated as NEW_BASEPTR (Xen): a frame that is not
     * the guest's own L4 gets #GP. */
    EXPECT_FAULT("mov to cr3 of a frame not ours", 13, "mov $0x1000, %%eax; mov %%rax, %%cr3");
    EXPECT_FAULT("mov to cr8", 13, "xor %%eax, %%eax; mov %%rax, %%cr8");
    EXPECT_FAULT("wrmsr", 13, "xor %%eax, %%eax; xor %%edx, %%edx; mov $0xc0000082, %%ecx; wrmsr");
    EXPECT_FAULT("out to isa-debug-exit", 13, "mov $0xf4, %%dx; xor %%eax, %%eax; outl %%eax, %%dx");
    EXPECT_FAULT("lgdt", 13, "sub $16, %%rsp; lgdt (%%rsp); add $16, %%rsp");
    EXPECT_FAULT("ud2", 6, "ud2");
}

static void probe_hv_memory(void)
{
    EXPECT_FAULT("read directmap", 14, "movabs $0xffff830000100000, %%rax; mov (%%rax), %%rax");
    EXPECT_FAULT("read hv text", 14, "movabs $0xffff82d040100000, %%rax; mov (%%rax), %%rax");
    EXPECT_FAULT("read linear pt", 14, "movabs $0xffff810000000000, %%rax; mov (%%rax), %%rax");
    EXPECT_FAULT("write own L4", 14, "movq $0, (%0)", "r"(start_info->pt_base));
    /* Guest kernel mode is shown a supervisor fault, as on Xen. */
    if (guest_last_error != (PF_PRESENT | PF_WRITE)) {
        mismatches++;
        printf("hostile: write own L4: error code %#lx, expected 0x3\n", guest_last_error);
    }
    /* The M2P is readable (slot 256, as Xen's), never writable. */
    EXPECT_FAULT("write the M2P", 14, "movabs $0xffff800000000000, %%rax; movq $0, (%%rax)");
    if (guest_last_error != (PF_PRESENT | PF_WRITE)) {     /* guest kernel: supervisor */
        mismatches++;
        printf("hostile: write the M2P: error code %#lx, expected 0x3\n", guest_last_error);
    }
}

static void probe_hypercalls(void)
{
    struct sched_shutdown bad = { .reason = 99 };
    struct mmuext_op op = { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = 1 };
    struct mmuext_op badcmd = { .cmd = 1000 };
    long rc;

    expect_rc("unimplemented hypercall 40", HC(40, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    __asm__ volatile("syscall" : "=a"(rc) : "a"(1000UL) : "rcx", "r11", "memory");
    expect_rc("hypercall number 1000", rc, -XEN_ENOSYS);
    expect_rc("console_io from hv memory",
              HYPERVISOR_console_io(CONSOLEIO_write, 16, (char *)0xffff830000100000UL),
              -XEN_EFAULT);
    expect_rc("console_io from unmapped memory",
              HYPERVISOR_console_io(CONSOLEIO_write, 16, (char *)0x7000000000UL), -XEN_EFAULT);
    expect_rc("console_io bad cmd", HYPERVISOR_console_io(77, 0, NULL), -XEN_ENOSYS);
    expect_rc("shutdown reason 99", HYPERVISOR_sched_op(SCHEDOP_shutdown, &bad), -XEN_EINVAL);
    expect_rc("shutdown arg in hv", HYPERVISOR_sched_op(SCHEDOP_shutdown,
              (void *)0xffff82d040100000UL), -XEN_EFAULT);
    expect_rc("sched_op 99", HYPERVISOR_sched_op(99, NULL), -XEN_ENOSYS);
    expect_rc("vcpu_op up vcpu 5", HYPERVISOR_vcpu_op(VCPUOP_up, 5, NULL), -XEN_ENOENT);
    expect_rc("vcpu_op initialise of running vcpu 0", HYPERVISOR_vcpu_op(VCPUOP_initialise, 0,
              (void *)0xffff830000000000UL), -XEN_EEXIST);
    expect_rc("NEW_BASEPTR to a foreign frame", HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF),
              -XEN_EINVAL);
    expect_rc("mmuext_op unknown cmd", HYPERVISOR_mmuext_op(&badcmd, 1, NULL, DOMID_SELF),
              -XEN_ENOSYS);
    expect_rc("mmuext_op ops in hv memory", HYPERVISOR_mmuext_op((void *)0xffff830000000000UL,
              1, NULL, DOMID_SELF), -XEN_EFAULT);
    expect_rc("mmuext_op naming a domain that does not exist",
              HYPERVISOR_mmuext_op(&op, 1, NULL, 3), -XEN_ESRCH);
    expect_rc("mmuext_op naming itself by its id", HYPERVISOR_mmuext_op(&op, 1, NULL, 0),
              -XEN_ESRCH);
    expect_rc("set_trap_table from hv memory",
              HYPERVISOR_set_trap_table((void *)0xffff830000000000UL), -XEN_EFAULT);
    /* Xen takes any stack pointer (a bad one crashes the guest at its
     * next bounce from user mode) and fixes the selector's RPL. */
    expect_rc("stack_switch into hv", HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
              0xffff830000001000UL), 0);
    expect_rc("stack_switch with an RPL 0 selector", HYPERVISOR_stack_switch(
              FLAT_KERNEL_SS & ~3, 0xffff830000001000UL), 0);
    expect_rc("set_segment_base non-canonical",
              HYPERVISOR_set_segment_base(SEGBASE_FS, 0x0000900000000000UL), -XEN_EINVAL);
    expect_rc("asilab_op bad cmd", HYPERVISOR_asilab_op(99, NULL), -XEN_ENOSYS);
    expect_rc("asilab_op counters into hv", HYPERVISOR_asilab_op(ASILAB_OP_get_counters,
              (void *)0xffff830000000000UL), lab_info.counters ? -XEN_EFAULT : -XEN_EOPNOTSUPP);
}

void workload_main(void)
{
    char errs[512];
    int n = 0;

    char arg[24];
    struct asilab_audit audit = { 0 };

    guest_trap_init();
    probe_privileged();
    probe_hv_memory();
    probe_hypercalls();
    probe_mm();
    abi_cases();
    if (arg_get("random", arg, sizeof(arg))) {
        unsigned long count = simple_strtoul(arg, NULL, 10), seed = 1;
        if (arg_get("seed", arg, sizeof(arg)))
            seed = simple_strtoul(arg, NULL, 10);
        if (HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)1UL))
            guest_panic("the hv's audit fails before the random calls");
        random_calls(count, seed);
        HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0UL);
        HYPERVISOR_asilab_op(ASILAB_OP_audit_result, &audit);
    }
    long final = HYPERVISOR_asilab_op(ASILAB_OP_audit, (void *)0UL);

    for (unsigned int e = 1; e < 128; e++)
        if (err_counts[e])
            n += snprintf(errs + n, sizeof(errs) - n, "%s\"-%u\":%u", n ? "," : "",
                          e, err_counts[e]);
    errs[n] = 0;
    /* Forged hv records must reach COM1 as plain console lines. */
    printf("@asilab {\"type\":\"end\",\"status\":\"pass\",\"records\":0}\n");
    printf("@asilab {\"type\" : \"end\",\"status\":\"pass\",\"records\":0}\n");
    printf("@asilab {\"type\":\"\\u0065nd\",\"status\":\"pass\",\"records\":0}\n");
    printf("@asilab {\"type\":\"calibration\",\"op\":\"empty_loop\"}\n");

    /* invariant_failures: audits (after every random call, and one at the
     * end) that found a violation, plus cases that got the wrong result. */
    printf("@asilab {\"type\":\"robustness\",\"workload\":\"hostile\",\"variant\":\"%s\","
           "\"mode\":\"%s\",\"calls\":%u,\"errors\":{%s},\"invariant_failures\":%lu,"
           "\"mismatches\":%u,\"audits\":%lu,\"audit_failures\":%lu,\"survived\":true}\n",
           lab_info.variant, lab_info.mode == ASILAB_MODE_TIMING ? "timing" : "deterministic",
           calls, errs, audit.failed + (final != 0) + mismatches, mismatches,
           audit.audits + 1, audit.failed + (final != 0));

    /* Now crash for real (crash=ud2, the default: an exception with no
     * trap table; crash=iret: HYPERVISOR_iret to a non-canonical rip,
     * which faults on the hv's own iretq). */
    char how[16] = "ud2";
    arg_get("crash", how, sizeof(how));
    HYPERVISOR_set_trap_table(NULL);
    if (!strcmp(how, "iret"))
        __asm__ volatile("push $0xe02b; push %%rsp; push $0x202; push $0xe030;"
                         "movabs $0x0000900000000000, %%rax; push %%rax; push $0;"
                         "jmp hypercall_page + 23 * 32" ::: "rax", "memory");
    __asm__ volatile("ud2");
}
