/* physdev_op for PV guests: the sub-ops that set a vCPU's I/O
 * permissions, which emul-priv-op.c checks on every emulated port
 * access (Xen's PHYSDEVOP_set_iopl and PHYSDEVOP_set_iobitmap).  Every
 * other sub-op is -ENOSYS: the hv owns no devices a guest could use. */
#include "domain.h"
#include "hypercall.h"
#include "traps.h"
#include "x86.h"

#define PHYSDEVOP_set_iopl     6
#define PHYSDEVOP_set_iobitmap 7

struct physdev_set_iopl { uint32_t iopl; };
struct physdev_set_iobitmap { uint64_t bitmap; uint32_t nr_ports; };

long do_physdev_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                   unsigned long a4, unsigned long a5)
{
    struct vcpu *v = current;

    switch (cmd) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl op;
        if (copy_from_guest(&op, arg, sizeof(op)))
            return -XEN_EFAULT;
        if (op.iopl > 3)
            return -XEN_EINVAL;
        v->iopl = op.iopl << 12;       /* MASK_INSR(iopl, X86_EFLAGS_IOPL) */
        return 0;
    }
    case PHYSDEVOP_set_iobitmap: {
        struct physdev_set_iobitmap op;
        if (copy_from_guest(&op, arg, sizeof(op)))
            return -XEN_EFAULT;
        if (!guest_range_ok(op.bitmap, 65536 / 8) || op.nr_ports > 65536)
            return -XEN_EINVAL;
        v->iobmp = op.bitmap;
        v->iobmp_limit = op.nr_ports;
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
