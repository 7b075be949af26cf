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
    int fd = open(kvm_path(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        *why = xasprintf("%s not usable: %s", kvm_path(), strerror(errno));
        return false;
    }
    close(fd);
    return true;
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
    struct boot_spec s;
    struct boot_out o;
    boot_spec_init(&s, cfg, variant, probe_wl, 0, true);
    fprintf(stderr, "accel: probing %s with a kvm boot of %s %s ...\n",
            kvm_path(), variant, s.label);
    boot_run(cfg, &s, true, &o);
    if (o.have_calib && o.calib_median < ASILAB_NATIVE_MAX) {
        use_kvm = true;
        fprintf(stderr, KVM_LINE "%s runs ring 0 natively: %s cycles/iter\n",
                kvm_path(), fmt_num(o.calib_median, buf, sizeof buf));
    } else if (o.have_calib) {
        fprintf(stderr, TCG_LINE "%s emulates ring 0: %s cycles/iter\n",
                kvm_path(), fmt_num(o.calib_median, buf, sizeof buf));
    } else {
        char *f = probe_failure(cfg, &o);
        fprintf(stderr, TCG_LINE "kvm probe boot gave no calibration record: %s\n", f);
        free(f);
    }
    boot_out_free(&o);
    boot_spec_free(&s);
    return use_kvm;
}
