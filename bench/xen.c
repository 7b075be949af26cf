/* xen.c — real Xen as a second kind of hypervisor for `asilab run --hv
 * xen[=PATH]`: checking that PATH is a Xen image QEMU's multiboot loader
 * takes, naming its configurations (one variant per --xen-cmdline), Xen's
 * command line for a workload's boot (the workload is Xen's dom0), which
 * boots cannot run on Xen and why, and what Xen's own console lines say
 * (version, changeset, command line, how dom0 ended). */
#include <ctype.h>
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asilab.h"

#define MB1_MAGIC 0x1BADB002u
#define MB1_SEARCH 8192       /* the multiboot header lies in the first 8 KiB */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* NULL if path is a Xen image QEMU's -kernel boots (a multiboot header;
 * an ELF must be 32-bit x86, as xen.gz decompressed is: QEMU refuses a
 * 64-bit multiboot ELF); else why not (malloc'd). */
char *xen_image_check(const char *path)
{
    size_t len;
    unsigned char *img = (unsigned char *)read_file(path, &len);
    char *why = NULL;
    bool mb = false;
    if (!img)
        return xasprintf("cannot read '%s'", path);
    if (len >= 2 && img[0] == 0x1f && img[1] == 0x8b) {
        why = xasprintf("'%s' is gzip-compressed: QEMU's multiboot loader needs "
                        "the ELF (zcat it into a file and pass that)", path);
        goto out;
    }
    for (size_t at = 0; at + 12 <= len && at < MB1_SEARCH && !mb; at += 4)
        mb = le32(img + at) == MB1_MAGIC &&
             (uint32_t)(le32(img + at) + le32(img + at + 4) + le32(img + at + 8)) == 0;
    if (!mb) {
        why = xasprintf("'%s' has no multiboot header in its first %d bytes: not "
                        "an image QEMU's -kernel boots as Xen", path, MB1_SEARCH);
    } else if (len >= 20 && memcmp(img, ELFMAG, SELFMAG) == 0 &&
               (img[EI_CLASS] != ELFCLASS32 || (img[18] | img[19] << 8) != EM_386)) {
        why = xasprintf("'%s' is a %s ELF for machine %u: QEMU's multiboot loader "
                        "takes a 32-bit x86 one (Xen's xen.gz, decompressed)", path,
                        img[EI_CLASS] == ELFCLASS64 ? "64-bit" : "32-bit",
                        (unsigned)(img[18] | img[19] << 8));
    } else if (!memmem(img, len, "Xen version %d.%d%s", 19)) {
        why = xasprintf("'%s' boots by multiboot but is not Xen (no Xen version "
                        "banner in it)", path);
    }
out:
    free(img);
    return why;
}

/* The build's name from the image's: "xen-4.17" for xen-4.17.elf,
 * "xen-4.17.7" for xen-4.17.7.elf, "xen-4.17-perfc" for
 * xen-4.17-perfc.elf (a version of two or more numbers, then one tag of
 * [a-z0-9_], at most 16, before the extension or the end); else "xen". */
static char *build_name(const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *p = base + 4;
    if (strncmp(base, "xen-", 4) != 0 || !isdigit((unsigned char)*p))
        return xstrdup("xen");
    size_t n = strspn(p, "0123456789"), parts = 1;
    while (p[n] == '.' && isdigit((unsigned char)p[n + 1])) {
        n += 1 + strspn(p + n + 1, "0123456789");
        parts++;
    }
    if (parts < 2)
        return xstrdup("xen");
    if (p[n] == '-') {
        size_t t = strspn(p + n + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");
        char end = p[n + 1 + t];
        if (t >= 1 && t <= 16 && (end == '.' || end == '\0'))
            n += 1 + t;
    }
    return xasprintf("xen-%.*s", (int)n, p);
}

bool xen_variant_name_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 3 && n <= XEN_VARIANT_MAX && strncmp(s, "xen", 3) == 0 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._=,:-") == n;
}

/* The variant of image path with Xen options opts ("" = Xen's defaults):
 * "xen-4.17" or "xen-4.17:xpti=dom0=true:pcid=off" (options in the order
 * given, ':' for the spaces).  NULL with *why on an option the name cannot
 * carry. */
char *xen_variant_name(const char *path, const char *opts, char **why)
{
    char *name = build_name(path);
    *why = NULL;
    for (const char *p = opts; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._=,:- ", *p)) {
            *why = xasprintf("bad --xen-cmdline '%s': a character '%c' a variant "
                             "name cannot carry (options: [A-Za-z0-9._=,:-], "
                             "separated by spaces)", opts, *p);
            free(name);
            return NULL;
        }
    struct strlist parts = { 0 };
    strlist_push(&parts, name);
    for (const char *p = opts; *p;) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        if (n) {
            char *w = xasprintf("%.*s", (int)n, p);
            strlist_push(&parts, w);
            free(w);
        }
        p += n;
    }
    char *v = strlist_join(&parts, ":");
    strlist_free(&parts);
    free(name);
    if (!xen_variant_name_ok(v)) {
        *why = xasprintf("bad --xen-cmdline '%s': the variant name '%s' would be "
                         "longer than %d characters", opts, v, XEN_VARIANT_MAX);
        free(v);
        return NULL;
    }
    return v;
}

/* The value of key= in a module's arguments, or NULL (malloc'd). */
static char *arg_value(const char *args, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = args; *p;) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        if (n > k && strncmp(p, key, k) == 0 && p[k] == '=')
            return xasprintf("%.*s", (int)(n - k - 1), p + k + 1);
        p += n;
    }
    return NULL;
}

/* Why boot b of w cannot run as Xen's dom0, or NULL.  The runner builds
 * one domain on Xen (dom0); the lab's own hypercall is absent there. */
const char *xen_skip_reason(const struct workload *w, int b)
{
    const char *const *m = w->boots[b].modules;
    if (w->xen_skip)
        return w->xen_skip;
    if (m[0] && m[1])
        return "needs several domains (on Xen the runner builds only dom0)";
    char *d = arg_value(module_args(m[0]), "domains");
    char *p = arg_value(module_args(m[0]), "pcpu");
    bool many = d && atoi(d) > 1, pinned = p != NULL;
    free(d);
    free(p);
    if (many)
        return "needs several domains (on Xen the runner builds only dom0)";
    if (pinned)
        return "places its domain on a chosen pCPU (pcpu=), which Xen's dom0 "
               "options cannot";
    return NULL;
}

/* Xen's command line for boot b of w: the serial console, no reboot, and
 * dom0 sized as the asilab hv sizes the workload's domain (vcpus=, mem=;
 * Xen's dom0 gets at least 16 MiB), its vCPUs pinned (dom0_vcpus_pin:
 * vCPU n on pCPU n, as spread=1 places them; a boot that keeps several
 * vCPUs on one pCPU gets Xen with one pCPU, maxcpus=1), then the
 * configuration's options. */
char *xen_cmdline(const struct workload *w, int b, const char *opts)
{
    const char *args = module_args(w->boots[b].modules[0]);
    char *v = arg_value(args, "vcpus"), *mem = arg_value(args, "mem");
    char *spread = arg_value(args, "spread");
    int nv = v ? atoi(v) : 1, mib = mem ? atoi(mem) : HV_DOMAIN_MIB;
    bool one_pcpu = nv > 1 && !(spread && atoi(spread));
    if (nv < 1)
        nv = 1;
    if (mib < XEN_DOM0_MIB_MIN)
        mib = XEN_DOM0_MIB_MIN;
    char *c = xasprintf("console=com1 com1=115200,8n1 noreboot dom0_mem=%dM "
                        "dom0_max_vcpus=%d dom0_vcpus_pin%s%s%s", mib, nv,
                        one_pcpu ? " maxcpus=1" : "", *opts ? " " : "", opts);
    free(v);
    free(mem);
    free(spread);
    return c;
}

/* A Xen console line ("(XEN) ..."): what it says for the boot's record
 * (version, changeset, command line, XPTI's setting) and whether it ends the run:
 * dom0's shutdown (halted: Xen stops the machine, QEMU does not exit),
 * dom0's crash, or a Xen panic ("Manual reset required" with noreboot). */
void xen_console_line(struct xen_console *x, const char *line)
{
    const char *t = line + 6;          /* after "(XEN) " */
    char **keep = NULL;
    if (strncmp(t, "Xen version ", 12) == 0)
        keep = &x->version;
    else if (strncmp(t, "Latest ChangeSet: ", 18) == 0)
        keep = &x->changeset, t += 18;
    else if (strncmp(t, "Command line: ", 14) == 0)
        keep = &x->cmdline, t += 14;
    else if (strncmp(t, "  XPTI (64-bit PV only): ", 25) == 0)
        keep = &x->xpti, t += 25;
    if (keep && !*keep)
        *keep = text_escape(t, strlen(t), false);
    if (x->panic_next && !x->panic) {
        x->panic = text_escape(t, strlen(t), false);
        x->panic_next = false;
    }
    if (strncmp(t, "Panic on CPU", 12) == 0)
        x->panic_next = true;
    if (x->end)
        return;
    if (strncmp(t, "Hardware Dom0 halted", 20) == 0)
        x->end = XEN_END_HALTED;
    else if (strncmp(t, "Hardware Dom0 crashed", 21) == 0)
        x->end = XEN_END_CRASHED;
    else if (strncmp(t, "Hardware Dom0 shutdown", 22) == 0 ||
             strncmp(t, "Hardware domain ", 16) == 0)
        x->end = XEN_END_SHUTDOWN;
    else if (strncmp(t, "Manual reset required", 21) == 0 ||
             strncmp(t, "Reboot in five seconds", 22) == 0)
        x->end = XEN_END_PANIC;
    if (x->end)
        x->end_line = text_escape(t, strlen(t), false);
}

void xen_console_free(struct xen_console *x)
{
    free(x->version);
    free(x->changeset);
    free(x->cmdline);
    free(x->xpti);
    free(x->panic);
    free(x->end_line);
    memset(x, 0, sizeof *x);
}
