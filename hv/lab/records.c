/* The hv's own @asilab records: the line every record goes out through
 * (counted for the end record), and the end record that closes a run
 * before power-off. */
#include "console.h"
#include "domain.h"
#include "lab.h"
#include "lib.h"
#include "sched.h"
#include "spinlock.h"
#include "public/sched.h"
#include "x86.h"

unsigned long lab_records_emitted;
static spinlock_t records_lock = SPIN_LOCK_UNLOCKED;

/* One complete "@asilab {...}\n" line, counted for the end record. */
void lab_emit_record(const char *line, size_t n)
{
    spin_lock(&records_lock);
    console_write(line, n);
    lab_records_emitted++;
    spin_unlock(&records_lock);
}

static const char *const state_names[] = { "running", "shutdown", "crashed" };
static const char *const reason_names[] = { "poweroff", "reboot", "suspend",
                                            "crash", "watchdog" };

void lab_emit_end_and_exit(void)
{
    static int ended;
    char line[2048];
    bool pass = true;
    int n = 0;

    if (__atomic_exchange_n(&ended, 1, __ATOMIC_SEQ_CST))
        for (;;)                        /* another pCPU is ending the run */
            __asm__ volatile("cli; hlt");

    for (unsigned int i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        if (d->is_driver && !(d->state == DOM_shutdown &&
                              d->shutdown_reason == SHUTDOWN_poweroff))
            pass = false;
        if (d->audit_violations)          /* the MMU audit found a hole */
            pass = false;
    }
    n += snprintf(line + n, sizeof(line) - n,
                  "@asilab {\"type\":\"end\",\"status\":\"%s\",\"records\":%lu,"
                  "\"domains\":[", pass ? "pass" : "fail", lab_records_emitted);
    for (unsigned int i = 0; i < nr_domains && n < (int)sizeof(line) - 200; i++) {
        struct domain *d = domains[i];
        const char *reason = d->state == DOM_crashed ? "crash"
            : d->state == DOM_running ? "none"
            : d->shutdown_reason < ARRAY_SIZE(reason_names)
              ? reason_names[d->shutdown_reason] : "unknown";
        n += snprintf(line + n, sizeof(line) - n,
                      "%s{\"domid\":%u,\"name\":\"%s\",\"driver\":%s,"
                      "\"state\":\"%s\",\"reason\":\"%s\",\"audits\":%lu,"
                      "\"audit_violations\":%lu}",
                      i ? "," : "", d->domain_id, d->name,
                      d->is_driver ? "true" : "false", state_names[d->state], reason,
                      d->audits, d->audit_violations);
    }
    n += snprintf(line + n, sizeof(line) - n, "]}\n");
    console_write(line, MIN((size_t)n, sizeof(line) - 1));
    hv_exit(pass ? EXIT_PASS : EXIT_FAIL);
}
