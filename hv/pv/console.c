/* console_io: guest console output, line-buffered per domain.  Lines
 * tagged "@asilab " are result records and go out verbatim (and are
 * counted for the end record); other lines get a "(dN) " prefix. */
#include "console.h"
#include "domain.h"
#include "hypercall.h"
#include "lab.h"
#include "lib.h"
#include "spinlock.h"
#include "traps.h"

#define RECORD_TAG "@asilab "
static spinlock_t records_lock = SPIN_LOCK_UNLOCKED;

static void flush_line(struct domain *d)
{
    char out[sizeof(d->console_line) + 16];
    int n;

    d->console_line[d->console_len] = 0;
    if (!strncmp(d->console_line, RECORD_TAG, strlen(RECORD_TAG)) &&
        !strstr(d->console_line, "\"type\":\"end\"")) {
        n = snprintf(out, sizeof(out), "%s\n", d->console_line);
        spin_lock(&records_lock);
        console_write(out, MIN((size_t)n, sizeof(out) - 1));
        lab_records_emitted++;
        spin_unlock(&records_lock);
    } else {
        n = snprintf(out, sizeof(out), "(d%u) %s\n", d->domain_id, d->console_line);
        console_write(out, MIN((size_t)n, sizeof(out) - 1));
    }
    d->console_len = 0;
}

long do_console_io(unsigned long cmd, unsigned long count, unsigned long buf,
                   unsigned long a4, unsigned long a5)
{
    struct domain *d = current->domain;
    char chunk[128];

    if (cmd != CONSOLEIO_write)
        return cmd == CONSOLEIO_read ? 0 : -XEN_ENOSYS;
    if (count > (1UL << 20))
        return -XEN_EINVAL;
    for (unsigned long done = 0; done < count;) {
        size_t n = MIN(count - done, sizeof(chunk));
        if (copy_from_guest(chunk, buf + done, n))
            return -XEN_EFAULT;
        for (size_t i = 0; i < n; i++) {
            char c = chunk[i];
            if (c == '\n' || d->console_len == sizeof(d->console_line) - 1) {
                flush_line(d);
                if (c == '\n')
                    continue;
            }
            if (c == '\r')
                continue;
            d->console_line[d->console_len++] = (c >= 32 && c < 127) ? c : '?';
        }
        done += n;
    }
    return 0;
}
