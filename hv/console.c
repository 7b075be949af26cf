/* COM1 console (16550 at 0x3f8), printk/panic, and power-off through
 * QEMU's isa-debug-exit device (port 0xf4), or a reset (on_exit=reboot). */
#include "console.h"
#include "lib.h"
#include "spinlock.h"
#include "x86.h"

#define COM1 0x3f8
static spinlock_t console_lock = SPIN_LOCK_UNLOCKED;

void console_init(void)
{
    outb(COM1 + 1, 0x00);   /* no interrupts */
    outb(COM1 + 3, 0x80);   /* DLAB */
    outb(COM1 + 0, 0x01);   /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8N1 */
    outb(COM1 + 2, 0xc7);   /* FIFO */
    outb(COM1 + 4, 0x03);
}

static void serial_putc(char c)
{
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, c);
}

void console_write(const char *s, size_t n)
{
    spin_lock(&console_lock);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
    spin_unlock(&console_lock);
}

void printk(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

bool hv_exit_reboot;
bool hv_exit_halt;

/* Reset the machine: the chipset's reset control register (0xcf9: a hard
 * reset), then the keyboard controller's reset line, then a triple fault
 * (no IDT), as Xen's machine_restart tries its reboot methods. */
static void __noreturn machine_reset(void)
{
    static const struct { uint16_t limit; uint64_t base; } __packed no_idt = { 0, 0 };
    outb(0xcf9, 0x02);
    outb(0xcf9, 0x06);
    for (int i = 0; i < 100000; i++)
        __asm__ volatile("pause");
    for (int i = 0; i < 0x10000 && (inb(0x64) & 0x02); i++)
        ;
    outb(0x64, 0xfe);
    for (int i = 0; i < 100000; i++)
        __asm__ volatile("pause");
    __asm__ volatile("lidt %0; int3" :: "m"(no_idt));
    for (;;)
        __asm__ volatile("hlt");
}

/* The end of the run: under QEMU the isa-debug-exit device stops it with
 * code; on_exit=reboot (an image's chain of boots, where the next boot's
 * loader reads what it needs) says the code on the console and resets
 * instead, on_exit=halt (one boot on a board, a LAVA job) says it and
 * halts; otherwise (bare metal) the CPU halts here. */
void hv_exit(unsigned int code)
{
    local_irq_disable();
    if (hv_exit_reboot) {
        printk("hv: exit code %u, resetting (on_exit=reboot)\n", code);
        machine_reset();
    }
    if (hv_exit_halt)
        printk("hv: exit code %u, halting (on_exit=halt)\n", code);
    outl(0xf4, code);
    for (;;)                /* not under QEMU: stop here */
        __asm__ volatile("hlt");
}

void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("\n*** hv panic: %s\n", buf);
    hv_exit(EXIT_PANIC);
}
