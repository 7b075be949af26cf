/* emul, after the measurements: the privileged instructions Xen 4.17
 * leaves to the guest or answers in its own way for a 64-bit PV guest
 * (arch/x86/pv/emul-priv-op.c's validate and x86_emulate), and the
 * remaining vcpu_op sub-ops (common and arch do_vcpu_op), each with
 * Xen's answer; at the very end the last vCPU takes itself down, which
 * powers the domain off, as Xen's VCPUOP_down. */
#include "emul.h"

#define CR4_TSD (1UL << 2)

void check_insns(void)
{
    expect(TRY("hlt", 0, 0, 0) == 13 && guest_last_error == 0,
           "hlt: not #GP(0) (a PV guest blocks with SCHEDOP_block)");
    expect(TRY("rdpmc", 0, 0, 0) == 13 && guest_last_error == 0, "rdpmc: not #GP(0)");
    expect(TRY("invd", 0, 0, 0) == 13 && guest_last_error == 0, "invd: not #GP(0)");
    expect(TRY("swapgs", 0, 0, 0) == 13 && guest_last_error == 0, "swapgs: not #GP(0)");
    expect(TRY("wbinvd", 0, 0, 0) == -1, "wbinvd: not ignored");
    expect(TRY(".byte 0xf3, 0x0f, 0x09", 0, 0, 0) == -1, "wbnoinvd: not ignored");
    /* XSETBV: #UD, XSAVE being hidden (CR4.OSXSAVE never the guest's). */
    expect(TRY("xsetbv", 0, 0, 0) == 6, "xsetbv: not #UD");
    expect(TRY("xsetbv", 1, 0, 0) == 6, "xsetbv of XCR0 = x87: not #UD");

    /* Under CR4.TSD: rdtsc emulated, rdtscp #GP(0) (TSC_AUX refused
     * while RDTSCP is hidden, as Xen's MSR policy). */
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | CR4_TSD));
    expect(TRY("rdtsc", 0, 0, 0) == -1, "rdtsc under CR4.TSD: not emulated");
    expect(TRY("rdtscp", 0, 0, 0) == 13 && guest_last_error == 0,
           "rdtscp under CR4.TSD: not #GP(0)");
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
}

void check_vcpu_ops(void)
{
    /* dom0's vCPU 0, pinned (as every asilab vCPU): pCPU 0's APIC and
     * ACPI ids, both 0 under QEMU (Xen answers so on one pCPU). */
    struct vcpu_get_physid pid = { 0x1234 };
    expect(HYPERVISOR_vcpu_op(VCPUOP_get_physid, 0, &pid) == 0 && pid.phys_id == 0,
           "get_physid of dom0's pinned vCPU 0: not APIC and ACPI id 0");
    expect(HYPERVISOR_vcpu_op(VCPUOP_get_physid, 0, (void *)0xffff830000000000UL) ==
           -XEN_EFAULT, "get_physid into hv memory: not -EFAULT");
    expect(HYPERVISOR_vcpu_op(VCPUOP_send_nmi, 0, &pid) == -XEN_EINVAL,
           "send_nmi with an argument: not -EINVAL");
    expect(HYPERVISOR_vcpu_op(VCPUOP_send_nmi, 0, NULL) == -XEN_ENOSYS,
           "send_nmi: not -ENOSYS (no NMI is forwarded)");
    expect(HYPERVISOR_vcpu_op(14, 0, NULL) == -XEN_ENOSYS, "vcpu_op 14: not -ENOSYS");
    expect(HYPERVISOR_vcpu_op(VCPUOP_get_physid, 3, &pid) == -XEN_ENOENT,
           "vcpu_op on vCPU 3: not -ENOENT");

    static struct vcpu_time_info t;
    struct vcpu_register_time_memory_area a = { .addr.p = 0xffff830000000000UL };
    expect(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &a) == -XEN_EFAULT,
           "time area in hv memory: not -EFAULT");
    a.addr.p = (unsigned long)&t;
    expect(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &a) == 0,
           "register_vcpu_time_memory_area");
    const volatile struct vcpu_time_info *s = &shared_info->vcpu_info[0].time;
    expect(t.version && !(t.version & 1) && t.tsc_to_system_mul == s->tsc_to_system_mul &&
           t.tsc_shift == s->tsc_shift && t.pad1[0] == s->pad1[0],
           "the time area does not hold the vCPU's time record");
}

/* The domain's only vCPU going down is the domain powering off. */
void vcpu_down_last(void)
{
    HYPERVISOR_vcpu_op(VCPUOP_down, 0, NULL);
    guest_panic("VCPUOP_down of the last vCPU returned");
}
