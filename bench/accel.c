/* accel.c — choosing deterministic TCG or timing KVM: is /dev/kvm usable,
 * and does a probe boot's calibration show ring 0 running natively? */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asilab.h"

#define TCG_LINE "accel: tcg (deterministic icount) — "
#define KVM_LINE "accel: kvm (timing) — "

/* ASILAB_KVM_DEVICE overrides /dev/kvm (for the runner's own tests). */
static const char *kvm_path(void)
{
    const char *p = getenv("ASILAB_KVM_DEVICE");
    return p && *p ? p : "/dev/kvm";
}

static bool kvm_usable(char **why)
{
    return kvm_state(why) == KVM_PRESENT;
}

const char *kvm_device(void)
{
    return kvm_path();
}

/* Can /dev/kvm be opened read-write?  *why (owned by the caller) says why
 * not: "<path> not usable: <strerror>". */
enum kvm_state kvm_state(char **why)
{
    int fd = open(kvm_path(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        *why = xasprintf("%s not usable: %s", kvm_path(), strerror(e));
        return e == ENOENT || e == ENODEV || e == ENXIO ? KVM_ABSENT : KVM_NO_ACCESS;
    }
    close(fd);
    *why = NULL;
    return KVM_PRESENT;
}

/* Why a probe boot produced no calibration record. */
static char *probe_failure(const struct config *cfg, const struct boot_out *o)
{
    const char *qe = boot_qemu_error(o);
    if (o->proc.timed_out)
        return xasprintf("timed out after %g s", cfg->timeout);
    for (size_t i = 0; i < o->nrecs; i++)
        if (o->recs[i].error)
            return xstrdup(o->recs[i].error);
    if (qe)
        return xstrdup(qe);
    if (o->proc.signaled)
        return xasprintf("qemu killed by signal %d", o->proc.term_signal);
    return xasprintf("qemu exit status %d", o->proc.exit_status);
}

/* A kvm boot of variant with wl's first boot, stopped at its calibration
 * record.  true with *median set if one came; else false with *why set.
 * Says on stderr what it boots. */
bool kvm_probe(const struct config *cfg, const char *variant,
               const struct workload *wl, double *median, char **why)
{
    struct boot_spec s;
    struct boot_out o;
    boot_spec_init(&s, cfg, variant, wl, 0, true);
    fprintf(stderr, "accel: probing %s with a kvm boot of %s %s ...\n",
            kvm_path(), variant, s.label);
    boot_run(cfg, &s, true, &o);
    bool ok = o.have_calib;
    *median = o.calib_median;
    *why = ok ? NULL : probe_failure(cfg, &o);
    boot_out_free(&o);
    boot_spec_free(&s);
    return ok;
}

/* true: run under kvm.  Prints one line saying what was chosen and why. */
bool accel_choose(const struct config *cfg, enum accel req, const char *variant,
                  const struct workload *probe_wl)
{
    char *why = NULL, buf[64];
    bool use_kvm = false;
    if (req == ACCEL_TCG) {
        fprintf(stderr, TCG_LINE "requested with --accel tcg\n");
        return false;
    }
    bool usable = kvm_usable(&why);
    if (req == ACCEL_KVM) {
        if (!usable)
            usage_error("--accel kvm: %s", why);
        fprintf(stderr, KVM_LINE "requested with --accel kvm; each boot's "
                "calibration decides whether its timings are valid\n");
        return true;
    }
    if (!usable) {
        fprintf(stderr, TCG_LINE "%s\n", why);
        free(why);
        return false;
    }
    double median;
    char *f = NULL;
    if (kvm_probe(cfg, variant, probe_wl, &median, &f) && median < ASILAB_NATIVE_MAX) {
        use_kvm = true;
        fprintf(stderr, KVM_LINE "%s runs ring 0 natively: %s cycles/iter\n",
                kvm_path(), fmt_num(median, buf, sizeof buf));
    } else if (!f) {
        fprintf(stderr, TCG_LINE "%s emulates ring 0: %s cycles/iter\n",
                kvm_path(), fmt_num(median, buf, sizeof buf));
    } else {
        fprintf(stderr, TCG_LINE "kvm probe boot gave no calibration record: %s\n", f);
        free(f);
    }
    return use_kvm;
}
