/* console_io: guest console output, line-buffered per domain (the
 * domU console ring, hv/pv/console_ring.c, goes through the same line
 * handling with its own line buffer).  Lines that start exactly with
 * "@asilab {"type":"<kind>"," for a kind a guest may report (not "end",
 * no backslash escapes) are result records and go out verbatim (and are
 * counted for the end record); every other line gets a "(dN) " prefix,
 * so a guest cannot forge the hv's own records. */
#include "console.h"
#include "domain.h"
#include "hypercall.h"
#include "lab.h"
#include "lib.h"
#include "spinlock.h"
#include "traps.h"

#define RECORD_TAG "@asilab "

#define MAX_CONSOLE_WRITE 16384

static bool is_guest_record(const char *line)
{
    static const char *const kinds[] = { "result", "exposure", "robustness", "probe" };
    static const char head[] = RECORD_TAG "{\"type\":\"";
    if (strncmp(line, head, sizeof(head) - 1) || strchr(line, '\\'))
        return false;
    line += sizeof(head) - 1;
    for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
        size_t n = strlen(kinds[i]);
        if (!strncmp(line, kinds[i], n) && !strncmp(line + n, "\",", 2))
            return true;
    }
    return false;
}

static void flush_line(struct domain *d, struct console_line *l)
{
    char out[sizeof(l->buf) + 16];
    int n;

    l->buf[l->len] = 0;
    if (is_guest_record(l->buf)) {
        n = snprintf(out, sizeof(out), "%s\n", l->buf);
        lab_emit_record(out, MIN((size_t)n, sizeof(out) - 1));
    } else {
        n = snprintf(out, sizeof(out), "(d%u) %s\n", d->domain_id, l->buf);
        console_write(out, MIN((size_t)n, sizeof(out) - 1));
    }
    l->len = 0;
}

/* One character of guest console output into line l (d's console_lock
 * held): a newline, or a full line, goes out; CR is dropped; anything
 * not printable ASCII becomes '?'. */
void guest_console_putc(struct domain *d, struct console_line *l, char c)
{
    if (c == '\n' || l->len >= sizeof(l->buf) - 1) {
        flush_line(d, l);
        if (c == '\n')
            return;
    }
    if (c == '\r')
        return;
    l->buf[l->len++] = (c >= 32 && c < 127) ? c : '?';
}

/* Xen's CONFIG_VERBOSE_DEBUG (on in a debug build): may a domU write
 * with console_io?  The hv's domu_console_io=0 is a release Xen. */
bool domu_console_io = true;

/* Xen's do_console_io under its default XSM policy (xsm_console_io):
 * the control domain may read and write; another domain only write, as
 * on a Xen debug build (CONFIG_VERBOSE_DEBUG; DEVIATION from a release
 * Xen, kept because asilab's multi-domain workloads report their records
 * from domUs through console_io), unless the hv was booted with
 * domu_console_io=0: then -EPERM, as a release Xen (README), and a
 * domU's only console is its ring.  Everything else -EPERM.  A read
 * returns how many characters it copied: asilab's hv takes no serial
 * input, so always 0 (a count above INT_MAX is -E2BIG first, as Xen). */
long do_console_io(unsigned long cmd_arg, unsigned long count_arg, unsigned long buf,
                   unsigned long a4, unsigned long a5)
{
    static unsigned long unsupported[2];
    struct domain *d = current->domain;
    unsigned int cmd = cmd_arg, count = count_arg;     /* Xen's prototype */
    char chunk[128];

    if (cmd == CONSOLEIO_write && !domu_console_io && !is_control_domain(d))
        return -XEN_EPERM;
    if (cmd != CONSOLEIO_write) {
        if (!is_control_domain(d))
            return -XEN_EPERM;
        if (cmd == CONSOLEIO_read)
            return count > 0x7fffffffU ? -XEN_E2BIG : 0;
        log_unsupported_once(unsupported, "console_io command", cmd);
        return -XEN_ENOSYS;
    }
    if (count > MAX_CONSOLE_WRITE)
        return -XEN_EINVAL;
    spin_lock(&d->console_lock);
    for (unsigned long done = 0; done < count;) {
        size_t n = MIN(count - done, sizeof(chunk));
        if (copy_from_guest(chunk, buf + done, n)) {
            spin_unlock(&d->console_lock);
            return -XEN_EFAULT;
        }
        for (size_t i = 0; i < n; i++)
            guest_console_putc(d, &d->console_io_line, chunk[i]);
        done += n;
    }
    spin_unlock(&d->console_lock);
    return 0;
}
