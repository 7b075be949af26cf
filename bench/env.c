/* env.c — `asilab env` (this host's provenance and whether its numbers can
 * be trusted: kvm timing, PMU) and `asilab compare` (Google Benchmark's
 * compare.py over two results.json). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asilab.h"

#define PYTHON "/usr/bin/python3"
#define COMPARE_PY "/usr/share/benchmark/compare.py"
#define COMPARE_PKGS "apt-get install libbenchmark-tools python3-scipy"

static void print_int(const char *key, int v)
{
    if (v >= 0)
        printf("%s: %d\n", key, v);
    else
        printf("%s: unknown\n", key);
}

static bool is_built(const char *build, const struct workload *w)
{
    struct strlist miss = { 0 };
    workload_missing(build, w, &miss);
    bool built = miss.n == 0;
    strlist_free(&miss);
    return built;
}

/* The workload of the kvm probe: hypercall if built, else the first built. */
static const struct workload *probe_workload(const char *build)
{
    const struct workload *w = workload_find("hypercall");
    if (w && is_built(build, w))
        return w;
    for (size_t i = 0; i < workload_count; i++)
        if (!workload_table[i].expect_fail && is_built(build, &workload_table[i]))
            return &workload_table[i];
    return NULL;
}

/* "valid (N cycles/iter)", "invalid: emulating (...)" or "unavailable (...)" */
static char *kvm_timing(struct config *cfg, const char *build_arg,
                        enum kvm_state ks, const char *qemu)
{
    if (ks != KVM_PRESENT)
        return xasprintf("unavailable (%s %s)", kvm_device(),
                         ks == KVM_ABSENT ? "absent" : "not accessible");
    if (!qemu)
        return xstrdup("unavailable (no QEMU)");
    char *build = realpath(build_arg, NULL);
    if (!build)
        return xasprintf("unavailable (build directory '%s': %s)", build_arg,
                         strerror(errno));
    char *res = NULL, *why = NULL, buf[64];
    struct strlist v = { 0 };
    const struct workload *w = NULL;
    double median;
    if (strchr(build, ','))
        res = xasprintf("unavailable (build directory '%s' contains ',')", build);
    else if (variants_scan(build, &v) != 0 || v.n == 0)
        res = xasprintf("unavailable (no hv-<variant>.elf in %s)", build);
    else if (!(w = probe_workload(build)))
        res = xasprintf("unavailable (no workload built in %s/workloads)", build);
    if (res) {
        strlist_free(&v);
        free(build);
        return res;
    }
    cfg->build = build;
    cfg->qemu = qemu;
    if (!kvm_probe(cfg, v.v[0], w, &median, &why))
        res = xasprintf("unavailable (probe boot of %s %s: %s)", v.v[0], w->name, why);
    else if (median < ASILAB_NATIVE_MAX)
        res = xasprintf("valid (%s cycles/iter)", fmt_num(median, buf, sizeof buf));
    else
        res = xasprintf("invalid: emulating (%s cycles/iter)",
                        fmt_num(median, buf, sizeof buf));
    free(why);
    strlist_free(&v);
    cfg->build = NULL;
    free(build);
    return res;
}

struct text { struct strlist lines; };

static bool keep_line(void *ctx, char *line, size_t len, size_t lineno)
{
    struct text *t = ctx;
    (void)len;
    (void)lineno;
    if (*line)
        strlist_push(&t->lines, line);
    return true;
}

/* "available" or "unavailable (...)" from perf stat -e instructions -x, true */
static char *pmu_state(void)
{
    char *why = NULL, *perf = qemu_find("perf", &why);
    free(why);
    if (!perf)
        return xstrdup("unavailable (perf not installed: apt-get install linux-perf)");
    char *argv[] = { perf, "stat", "-e", "instructions", "-x,", "true", NULL };
    struct text t = { { 0 } };
    struct proc_result r;
    proc_run(argv, 10, keep_line, keep_line, &t, &r);
    char *all = strlist_join(&t.lines, "\n"), *res;
    long long ins;
    char *bad = perf_parse(all, NULL, &ins);
    if (strstr(all, "<not supported>"))
        res = xstrdup("unavailable (instructions <not supported>)");
    else if (r.timed_out || r.signaled || r.exit_status != 0)
        res = xasprintf("unavailable (perf stat failed: %s)",
                        t.lines.n ? t.lines.v[0] : "no output");
    else if (bad)
        res = xasprintf("unavailable (%s)", bad);
    else
        res = xstrdup("available");
    free(bad);
    free(all);
    strlist_free(&t.lines);
    free(perf);
    return res;
}

int cmd_env(struct config *cfg, const char *build_arg, const char *qemu_override)
{
    struct host_info h;
    char *why = NULL, *qemu = qemu_find(qemu_override, &why);
    host_info_collect(&h, qemu);
    printf("cpu: %s\n", h.cpu_model ? h.cpu_model : "unknown");
    print_int("cpu family", h.family);
    print_int("cpu model", h.model);
    print_int("cpu stepping", h.stepping);
    printf("microcode: %s\n", h.microcode ? h.microcode : "unknown");
    printf("kernel: %s\n", h.kernel ? h.kernel : "unknown");
    printf("hostname: %s\n", h.hostname);
    if (qemu)
        printf("qemu: %s (%s)\n", h.qemu_version, qemu);
    else
        printf("qemu: missing: %s%sapt-get install qemu-system-x86\n",
               why ? why : "", why ? "; " : "");
    fflush(stdout);
    char *kwhy = NULL;
    enum kvm_state ks = kvm_state(&kwhy);
    if (ks == KVM_PRESENT)
        printf("kvm: present (%s)\n", kvm_device());
    else if (ks == KVM_ABSENT)
        printf("kvm: absent (%s)\n", kvm_device());
    else
        printf("kvm: not accessible (%s)\n", kwhy);
    printf("kvm module: %s\n", h.kvm_module);
    printf("cpu virtualization: %s\n", strcmp(h.cpu_virt, "vmx") == 0 ? "vmx (VT-x)"
           : strcmp(h.cpu_virt, "svm") == 0 ? "svm (AMD-V)" : "none (no vmx/svm flag)");
    fflush(stdout);
    char *timing = kvm_timing(cfg, build_arg, ks, qemu);
    printf("kvm timing: %s\n", timing);
    fflush(stdout);
    char *pmu = pmu_state();
    printf("pmu: %s\n", pmu);
    free(pmu);
    free(timing);
    free(kwhy);
    free(why);
    free(qemu);
    host_info_free(&h);
    return 0;
}

/* DIR/results.json, or FILE itself. */
static char *results_file(const char *arg)
{
    struct stat st;
    size_t n = strlen(arg);
    if (stat(arg, &st) == 0 && !S_ISDIR(st.st_mode))
        return xstrdup(arg);
    if (n >= 5 && strcmp(arg + n - 5, ".json") == 0 && stat(arg, &st) != 0)
        usage_error("cannot read '%s': %s", arg, strerror(errno));
    char *f = xasprintf("%s/results.json", arg);
    if (stat(f, &st) != 0 || S_ISDIR(st.st_mode))
        usage_error("no results.json in %s", arg);
    return f;
}

static char *find_compare_py(void)
{
    if (access(COMPARE_PY, R_OK) == 0)
        return xstrdup(COMPARE_PY);
    FILE *f = popen("dpkg -L libbenchmark-tools 2>/dev/null", "r");
    char line[4096], *found = NULL;
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        size_t n = strlen(line);
        if (!found && n >= 11 && strcmp(line + n - 11, "/compare.py") == 0 &&
            access(line, R_OK) == 0)
            found = xstrdup(line);
    }
    if (f)
        pclose(f);
    return found;
}

int cmd_compare(const char *a, const char *b)
{
    char *fa = results_file(a), *fb = results_file(b);
    char *py = find_compare_py();
    if (!py)
        usage_error("Google Benchmark's compare.py not found; install it with '"
                    COMPARE_PKGS "'");
    if (access(PYTHON, X_OK) != 0)
        usage_error(PYTHON " not found; install it with 'apt-get install python3 "
                    "libbenchmark-tools python3-scipy'");
    char *argv[8];
    int n = 0;
    argv[n++] = PYTHON;
    argv[n++] = py;
    if (!isatty(STDOUT_FILENO))
        argv[n++] = "--no-color";
    argv[n++] = "benchmarks";
    argv[n++] = fa;
    argv[n++] = fb;
    argv[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        usage_error("fork: %s", strerror(errno));
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        execv(PYTHON, argv);
        fprintf(stderr, "asilab: exec " PYTHON ": %s\n", strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    free(py);
    free(fa);
    free(fb);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
