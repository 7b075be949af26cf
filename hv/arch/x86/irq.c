/* Interrupt dispatch: the scheduler's timer, event-check IPIs, spurious. */
#include "apic.h"
#include "console.h"
#include "flushtlb.h"
#include "sched.h"
#include "traps.h"

void do_IRQ(struct cpu_user_regs *regs)
{
    unsigned int vec = regs->entry_vector & 0xff;

    switch (vec) {
    case TIMER_VECTOR:
        sched_timer_tick();
        break;
    case EVENT_CHECK_VECTOR:    /* softirqs run on the way out */
        break;
    case FLUSH_VECTOR:
        flush_ipi_interrupt();
        break;
    case SPURIOUS_VECTOR:
        return;                 /* no EOI for spurious */
    case 0x20 ... 0x2f:         /* a masked 8259 line fired anyway */
        return;
    default:
        printk("hv: unexpected interrupt vector %#x\n", vec);
        break;
    }
    apic_eoi();
}
