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

/* The KVM backends loaded, comma-joined ("kvm_intel", "kvm_amd",
 * "kvm_pvm"), or "none": /sys/module (ASILAB_SYSFS_MODULE overrides the
 * directory, for the runner's own tests).  Owned by the caller. */
char *kvm_modules(void)
{
    static const char *const mods[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };
    const char *dir = getenv("ASILAB_SYSFS_MODULE");
    struct strlist l = { 0 };
    if (!dir || !*dir)
        dir = "/sys/module";
    for (size_t i = 0; i < sizeof mods / sizeof *mods; i++) {
        char *p = xasprintf("%s/%s", dir, mods[i]);
        if (access(p, F_OK) == 0)
            strlist_push(&l, mods[i]);
        free(p);
    }
    char *s = l.n ? strlist_join(&l, ",") : xstrdup("none");
    strlist_free(&l);
    return s;
}

/* "vmx", "svm" or "none": hardware virtualization in the first CPU's
 * flags in /proc/cpuinfo (ASILAB_CPUINFO overrides the file). */
const char *cpu_virt_flag(void)
{
    const char *path = getenv("ASILAB_CPUINFO");
    FILE *f = fopen(path && *path ? path : "/proc/cpuinfo", "r");
    char line[8192];
    const char *res = "none";
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5) != 0 || !strchr(line, ':'))
            continue;
        for (char *t = strtok(strchr(line, ':') + 1, " \t\n"); t; t = strtok(NULL, " \t\n"))
            if (strcmp(t, "vmx") == 0 || strcmp(t, "svm") == 0)
                res = strcmp(t, "vmx") == 0 ? "vmx" : "svm";
        break;
    }
    if (f)
        fclose(f);
    return res;
}

/* A reason kvm cannot time the hv on this host, known without booting:
 * the kvm_pvm backend alone (and no VT-x/AMD-V) runs the guest's ring 0
 * in ring 3 and leaves CPL at 3 after SYSCALL.  NULL: try a probe boot. */
static char *kvm_known_unfit(void)
{
    char *m = kvm_modules(), *why = NULL;
    const char *virt = cpu_virt_flag();
    if (strcmp(m, "kvm_pvm") == 0 && strcmp(virt, "none") == 0)
        why = xasprintf("%s is kvm_pvm and the CPU flags show no VT-x/AMD-V: it "
                        "runs the hv's ring 0 in ring 3 and SYSCALL stays at CPL 3 "
                        "(--accel kvm tries it anyway)", kvm_path());
    free(m);
    return why;
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
    boot_spec_init(&s, cfg, variant, wl, 0, true, cfg->lean);
    fprintf(stderr, "accel: probing %s with a kvm boot of %s %s ...\n",
            kvm_path(), variant, s.label);
    boot_run(cfg, &s, true, &o);
    bool ok = o.have_calib;
    *median = o.calib_median;
    *why = NULL;
    if (o.kvm_error)
        *why = xasprintf("%s (host defect)", o.kvm_error);
    else if (o.have_platform && o.syscall_cpl != 0)
        *why = xasprintf("SYSCALL from ring 3 arrived at CPL %d: this KVM does not "
                         "switch CPL on SYSCALL (host defect)", o.syscall_cpl);
    else if (o.have_platform && strcmp(o.hypervisor, "kvm") != 0 &&
             strcmp(o.hypervisor, "none") != 0)
        *why = xasprintf("the hv sees hypervisor '%s', not KVM", o.hypervisor);
    else if (!ok)
        *why = probe_failure(cfg, &o);
    ok = ok && !*why;
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
    if (req == ACCEL_TCG_TIMING) {
        fprintf(stderr, "accel: tcg, mode=timing (no icount) — requested with "
                "--accel tcg-timing: timing results are marked invalid\n");
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
    if (!usable || (why = kvm_known_unfit())) {
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
