/* vcpu_op (Xen's public/vcpu.h values). */
#ifndef ASILAB_PUBLIC_VCPU_H
#define ASILAB_PUBLIC_VCPU_H
#define VCPUOP_initialise   0
#define VCPUOP_up           1
#define VCPUOP_down         2
#define VCPUOP_is_up        3
#define VCPUOP_get_runstate_info 4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer    6
#define VCPUOP_stop_periodic_timer   7
#define VCPUOP_set_singleshot_timer  8
#define VCPUOP_stop_singleshot_timer 9
#define VCPUOP_register_vcpu_info   10
#define VCPUOP_send_nmi             11
#define VCPUOP_get_physid           12
#define VCPUOP_register_vcpu_time_memory_area 13
#define VCPU_SSHOTTMR_future         (1U << 0)
struct vcpu_set_periodic_timer { uint64_t period_ns; };
struct vcpu_set_singleshot_timer { uint64_t timeout_abs_ns; uint32_t flags; uint32_t _pad; };

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3
struct vcpu_runstate_info {
    int state;
    uint64_t state_entry_time;     /* hv system time (ns) */
    uint64_t time[4];              /* ns in each RUNSTATE_* */
};
/* Set in state_entry_time while the hv updates the area
 * (VMASST_TYPE_runstate_update_flag). */
#define XEN_RUNSTATE_UPDATE (1ULL << 63)
struct vcpu_register_runstate_memory_area {
    union { struct vcpu_runstate_info *v; uint64_t p; } addr;
};
/* VCPUOP_register_vcpu_info: the vCPU's vcpu_info moves to this frame
 * (a machine frame for a PV guest) at this offset, once. */
struct vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};
struct vcpu_get_physid { uint64_t phys_id; };
struct vcpu_register_time_memory_area {
    union { struct vcpu_time_info *v; uint64_t p; } addr;
};
#endif
