/* COM1 console (16550 at 0x3f8), printk/panic, and power-off through
 * QEMU's isa-debug-exit device (port 0xf4). */
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

void hv_exit(unsigned int code)
{
    local_irq_disable();
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
