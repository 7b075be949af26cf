/* Debug registers of PV vCPUs, as Xen's set_debugreg and
 * x86emul_read_dr: DR0-3 take guest addresses only, DR6/DR7 reserved
 * bits forced, DR7.GD refused, I/O breakpoints only with the guest's
 * CR4.DE (and emulated, not loaded); DR4/DR5 alias DR6/DR7 unless
 * CR4.DE.  The hardware holds a vCPU's breakpoints only while it runs
 * with DR7 active (activate on switch-in, DR7 cleared on switch-out),
 * and the set_debugreg/get_debugreg hypercalls. */
#include "domain.h"
#include "emulate.h"
#include "hypercall.h"
#include "layout.h"
#include "x86.h"

#define DR_STATUS_RESERVED_ZERO  (~0xffffefffUL)   /* bit 12 */
#define DR_STATUS_RESERVED_ONE   0xffff0ff0UL
#define DR_CONTROL_RESERVED_ZERO (~0xffff27ffUL)   /* bits 11, 12, 14, 15 */
#define DR_CONTROL_RESERVED_ONE  (1UL << 10)
#define DR_GENERAL_DETECT        (1UL << 13)
#define DR7_ACTIVE_MASK          0xffUL
#define DR_CONTROL_SHIFT         16
#define DR_CONTROL_SIZE          4
#define DR_IO                    2

static bool breakpoint_addr_ok(unsigned long a)
{
    return a < GUEST_LOW_END || a >= GUEST_HIGH_START;
}

static void activate_debugregs(const struct vcpu *v)
{
    write_debugreg(0, v->dr[0]);
    write_debugreg(1, v->dr[1]);
    write_debugreg(2, v->dr[2]);
    write_debugreg(3, v->dr[3]);
    write_debugreg(6, v->dr6);
    if (v->dr7 & DR7_ACTIVE_MASK)
        write_debugreg(7, v->dr7);
}

long pv_set_debugreg(struct vcpu *v, unsigned int reg, unsigned long value)
{
    bool curr = v == current;

    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!breakpoint_addr_ok(value))
            return -XEN_EPERM;
        v->dr[reg] = value;
        if (curr) {
            switch (reg) {
            case 0: write_debugreg(0, value); break;
            case 1: write_debugreg(1, value); break;
            case 2: write_debugreg(2, value); break;
            default: write_debugreg(3, value); break;
            }
        }
        return 0;
    case 4:
        if (v->ctrlreg[4] & X86_CR4_DE)
            return -XEN_ENODEV;
        /* fall through */
    case 6:
        if (value != (uint32_t)value)
            return -XEN_EINVAL;
        value = (value & ~DR_STATUS_RESERVED_ZERO) | DR_STATUS_RESERVED_ONE;
        v->dr6 = value;
        if (curr)
            write_debugreg(6, value);
        return 0;
    case 5:
        if (v->ctrlreg[4] & X86_CR4_DE)
            return -XEN_ENODEV;
        /* fall through */
    case 7: {
        if (value != (uint32_t)value)
            return -XEN_EINVAL;
        value = (value & ~DR_CONTROL_RESERVED_ZERO) | DR_CONTROL_RESERVED_ONE;
        if (value & DR_GENERAL_DETECT)
            return -XEN_EPERM;
        if (value & DR7_ACTIVE_MASK) {
            unsigned int io_enable = 0;
            for (unsigned int i = DR_CONTROL_SHIFT; i < 32; i += DR_CONTROL_SIZE) {
                if (((value >> i) & 3) == DR_IO) {
                    if (!(v->ctrlreg[4] & X86_CR4_DE))
                        return -XEN_EPERM;
                    io_enable |= value & (3U << ((i - 16) >> 1));
                }
            }
            v->dr7_emul = io_enable;
            value &= ~(unsigned long)io_enable;
            /* DR0-3 were not loaded while DR7 was inactive. */
            if (curr && !(v->dr7 & DR7_ACTIVE_MASK))
                activate_debugregs(v);
        } else {
            v->dr7_emul = 0;
        }
        v->dr7 = value;
        if (curr)
            write_debugreg(7, value);
        return 0;
    }
    default:
        return -XEN_ENODEV;
    }
}

int pv_read_dr(const struct vcpu *v, unsigned int reg, uint64_t *val)
{
    switch (reg) {
    case 0: case 1: case 2: case 3:
        *val = v->dr[reg];
        return 0;
    case 4:
        if (v->ctrlreg[4] & X86_CR4_DE)
            return -1;
        /* fall through */
    case 6:
        *val = v->dr6;
        return 0;
    case 5:
        if (v->ctrlreg[4] & X86_CR4_DE)
            return -1;
        /* fall through */
    case 7:
        *val = v->dr7 | v->dr7_emul;
        return 0;
    default:
        return -1;
    }
}

/* Context switch: the outgoing vCPU's breakpoints leave the hardware
 * (DR7 cleared), the incoming one's are loaded if its DR7 is active. */
void pv_debugregs_switch(const struct vcpu *prev, const struct vcpu *next)
{
    if (prev && !prev->is_idle && (prev->dr7 & DR7_ACTIVE_MASK))
        write_debugreg(7, 0);
    if (next && !next->is_idle && (next->dr7 & DR7_ACTIVE_MASK))
        activate_debugregs(next);
}

long do_set_debugreg(unsigned long reg, unsigned long value, unsigned long a3,
                     unsigned long a4, unsigned long a5)
{
    return pv_set_debugreg(current, reg, value);
}

long do_get_debugreg(unsigned long reg, unsigned long a2, unsigned long a3,
                     unsigned long a4, unsigned long a5)
{
    uint64_t val;
    return pv_read_dr(current, reg, &val) ? -XEN_ENODEV : (long)val;
}
