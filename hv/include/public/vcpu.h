/* vcpu_op (Xen's public/vcpu.h values). */
#ifndef ASILAB_PUBLIC_VCPU_H
#define ASILAB_PUBLIC_VCPU_H
#define VCPUOP_initialise   0
#define VCPUOP_up           1
#define VCPUOP_down         2
#define VCPUOP_is_up        3
#endif
