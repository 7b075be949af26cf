/* lava.c — asilab lava: a boot matrix as LAVA jobs, for a farm of hosts.
 *
 * `asilab lava --device-type TYPES ... --out DIR` writes one LAVA job
 * definition per boot of the matrix and device type (DIR/jobs/TYPE/K.yaml),
 * the files they fetch (DIR/files/asilab/: hv images, workloads; served at
 * --url, default file://DIR/files for a dispatcher on this machine), the
 * manifest ingest reads (DIR/manifest.json: image's format plus the jobs),
 * a device dictionary for running the qemu jobs without a server
 * (DIR/devices/qemu-local.yaml: `lava-run --device`), and checks every job
 * with LAVA's own schema (lava_common.schemas.validate, bench/lava-validate.py).
 *
 * Device type "qemu" gets LAVA's qemu boot method: the device owns the
 * QEMU binary and its options (accelerator, icount), the job gives
 * -kernel, -append and -initrd (QEMU's multiboot modules, "file args"
 * comma-separated).  Any other type is bare-metal x86 booted by iPXE: the
 * hv and the first module over TFTP (deploy to tftp: kernel, ramdisk),
 * further modules from --url (HTTP), iPXE's multiboot kernel/module/boot.
 * Every job's test action is a `monitors` one: it starts at the hv's
 * banner, records each result's median as a LAVA measurement and ends at
 * the hv's "hv: exit code N, halting" (the hv runs with on_exit=halt), so
 * the log holds the whole boot.
 *
 * `lava submit DIR --server S` submits the jobs with lavacli (S an
 * identity or an RPC2 URI), recording each job id in DIR/submitted.json as
 * it goes: a server that is unreachable or refuses a job stops it there
 * with lavacli's words, and a later submit goes on from there.
 * `lava collect DIR --out OUT` fetches the finished jobs' logs
 * (DIR/logs/JOB.yaml), or takes local ones given as ENTRY=LOG (lava-run's
 * stderr), turns the guest's lines back into the serial log
 * (OUT/TYPE.serial.log: the "@asilab-boot K/N" line before each job's
 * lines is written from the job's entry, since LAVA boots each alone) and
 * ingests it per device type into OUT/TYPE, each boot's host the LAVA
 * device that ran it. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "asilab.h"

#ifndef ASILAB_BENCH_DIR
#define ASILAB_BENCH_DIR "."
#endif

#define LAVA_MAX_TYPES 16

static bool type_name_ok(const char *s)
{
    size_t n = strlen(s);
    return n && n <= 64 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

/* A URL a YAML single-quoted scalar and an iPXE line carry unchanged. */
static bool url_ok(const char *s)
{
    size_t n = strlen(s);
    return (strncmp(s, "file:///", 8) == 0 || strncmp(s, "http://", 7) == 0 ||
            strncmp(s, "https://", 8) == 0) && n < 400 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_-.~:/%+@") == n;
}

static void split_list(const char *arg, struct strlist *out)
{
    char *copy = xstrdup(arg), *save = NULL;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
        if (!strlist_has(out, p))
            strlist_push(out, p);
    free(copy);
}

static const char monitor[] =
    "- test:\n"
    "    timeout:\n"
    "      minutes: %d\n"
    "    monitors:\n"
    "    - name: asilab\n"
    "      start: 'asilab hv:'\n"
    "      end: 'hv: exit code [0-9]+, halting'\n"
    "      pattern: '@asilab \\{\"type\":\"result\",\"workload\":\"[^\"]+\",\"op\":"
    "\"(?P<test_case_id>[^\"]+)\"[^\\n]*?\"unit\":\"(?P<units>[^\"]+)\"[^\\n]*?"
    "\"median\":(?P<measurement>[0-9.]+),'\n";

static void job_head(FILE *f, const struct image_entry *e, size_t k, size_t n,
                     const char *type, const struct strlist *tags, bool timing,
                     int job_minutes)
{
    fprintf(f, "# asilab lava: boot %zu of %zu of DIR/manifest.json on a '%s' device\n",
            k + 1, n, type);
    fprintf(f, "job_name: 'asilab %zu/%zu %s [%s] %s boot %d (%s)'\n", k + 1, n, e->variant,
            e->lean ? "lean" : "counting", e->wl->name, e->b,
            timing ? "timing" : "deterministic");
    fprintf(f, "device_type: '%s'\nvisibility: public\npriority: medium\n", type);
    if (tags->n) {
        fprintf(f, "tags:\n");
        for (size_t i = 0; i < tags->n; i++)
            fprintf(f, "- '%s'\n", tags->v[i]);
    }
    fprintf(f, "metadata:\n  asilab_entry: '%zu'\n  asilab_entries: '%zu'\n"
            "  asilab_git_rev: '%s'\n", k + 1, n, ASILAB_GIT_REV);
    fprintf(f, "timeouts:\n  job:\n    minutes: %d\n  action:\n    minutes: 5\n"
            "  connection:\n    minutes: 2\n", job_minutes);
}

static const char *hv_url_path(const struct image_entry *e, char *buf, size_t n)
{
    snprintf(buf, n, "asilab/hv/%shv-%s.elf", e->lean ? "lean/" : "", e->variant);
    return buf;
}

/* LAVA's qemu boot method: QEMU from the device, images from the job. */
static void job_qemu(FILE *f, const struct image_entry *e, const char *base, bool timing)
{
    char hv[256];
    fprintf(f, "context:\n  arch: x86_64\nactions:\n- deploy:\n    to: tmpfs\n"
            "    timeout:\n      minutes: 2\n    images:\n");
    fprintf(f, "      kernel:\n        url: '%s/%s'\n        image_arg: '-kernel {kernel} "
            "-append \"mode=%s on_exit=halt\"'\n", base, hv_url_path(e, hv, sizeof hv),
            timing ? "timing" : "deterministic");
    const char *const *mods = e->wl->boots[e->b].modules;
    size_t nm = 0;
    while (mods[nm])
        nm++;
    struct strlist initrd = { 0 };
    for (size_t i = 0; i < nm; i++) {
        char label[16], *file = module_file(mods[i]);
        const char *args = module_args(mods[i]);
        snprintf(label, sizeof label, i ? "module%zu" : "initrd", i + 1);
        char *one = xasprintf("{%s}%s%s", label, *args ? " " : "", args);
        strlist_push(&initrd, one);
        free(one);
        fprintf(f, "      %s:\n        url: '%s/asilab/workloads/%s'\n", label, base, file);
        if (i + 1 < nm) {
            fprintf(f, "        image_arg: ''\n");
        } else {
            char *all = strlist_join(&initrd, ",");
            fprintf(f, "        image_arg: '-initrd \"%s\"'\n", all);
            free(all);
        }
        free(file);
    }
    strlist_free(&initrd);
    fprintf(f, "- boot:\n    method: qemu\n    media: tmpfs\n    timeout:\n      minutes: 2\n");
    fprintf(f, monitor, 10);
}

/* Bare-metal x86: iPXE fetches the hv and the first module over TFTP
 * (LAVA's deploy to tftp), the others from base. */
static void job_ipxe(FILE *f, const struct image_entry *e, const char *base, bool timing)
{
    char hv[256];
    const char *const *mods = e->wl->boots[e->b].modules;
    char *first = module_file(mods[0]);
    fprintf(f, "actions:\n- deploy:\n    to: tftp\n    timeout:\n      minutes: 5\n");
    fprintf(f, "    kernel:\n      url: '%s/%s'\n", base, hv_url_path(e, hv, sizeof hv));
    fprintf(f, "    ramdisk:\n      url: '%s/asilab/workloads/%s'\n"
            "      install_modules: false\n      install_overlay: false\n", base, first);
    free(first);
    fprintf(f, "- boot:\n    method: ipxe\n    timeout:\n      minutes: 10\n    commands:\n"
            "    - dhcp\n    - 'kernel tftp://{SERVER_IP}/{KERNEL} mode=%s on_exit=halt'\n",
            timing ? "timing" : "deterministic");
    for (size_t i = 0; mods[i]; i++) {
        const char *args = module_args(mods[i]);
        char *file = module_file(mods[i]);
        if (i == 0)
            fprintf(f, "    - 'module tftp://{SERVER_IP}/{RAMDISK}%s%s'\n", *args ? " " : "",
                    args);
        else
            fprintf(f, "    - 'module %s/asilab/workloads/%s%s%s'\n", base, file,
                    *args ? " " : "", args);
        free(file);
    }
    fprintf(f, "    - boot\n");
    fprintf(f, monitor, 20);
}

/* The device dictionary of a qemu device on this machine, no server:
 * the runner's own QEMU options (TCG icount for deterministic jobs, KVM
 * with the host CPU for timing ones). */
static bool write_device(const char *path, bool timing)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f,
        "# asilab lava: a LAVA device dictionary for this machine's QEMU, for\n"
        "# lava-run --device (what lava-server renders from qemu.jinja2)\n"
        "device_type: qemu\navailable_architectures:\n- x86_64\n"
        "constants:\n  failure_retry: 1\n  boot_retry: 1\n  posix:\n"
        "    lava_test_sh_cmd: /bin/sh\n    lava_test_results_dir: /lava-%%s\n"
        "    lava_test_shell_file: ~/.bashrc\n"
        "  shutdown-message: 'The system is going down for reboot NOW'\n"
        "  kernel-start-message: 'Linux version [0-9]'\n"
        "  default-shell-prompt: 'lava-test: # '\n  spawn_maxread: '4092'\n"
        "parameters:\n  pass:\ncommands:\n  hard_reset: ''\n"
        "actions:\n  deploy:\n    connections:\n      serial:\n    methods:\n      image:\n"
        "        parameters:\n  boot:\n    connections:\n      serial:\n    methods:\n"
        "      qemu:\n        parameters:\n          command: qemu-system-x86_64\n"
        "          options:\n          - -nodefaults\n          - -machine pc\n"
        "          - -cpu %s\n          - -m %dM\n          - -smp 2\n          - -accel %s\n"
        "%s          - -display none\n          - -no-reboot\n          - -serial stdio\n"
        "          - -device isa-debug-exit,iobase=0xf4,iosize=0x04\n",
        timing ? "host" : "max", ASILAB_QEMU_MIB, timing ? "kvm" : "tcg",
        timing ? "" : "          - -icount shift=0,sleep=off\n");
    return !ferror(f) && fclose(f) == 0;
}

static bool collect_line(void *ctx, char *line, size_t len, size_t lineno)
{
    (void)lineno;
    char *t = text_escape(line, len, false);
    ring_push(ctx, t);
    free(t);
    return true;
}

/* argv with its output lines in out (the last 40); true if it exited 0. */
static bool run_capture(char **argv, double timeout, struct ring *out)
{
    struct proc_result r;
    proc_run(argv, timeout, collect_line, collect_line, out, &r);
    return !r.timed_out && !r.signaled && r.exit_status == 0;
}

static char *python_for_lava(void)
{
    if (access("/usr/bin/python3", X_OK) == 0)    /* Debian's, where lava-common is */
        return xstrdup("/usr/bin/python3");
    return find_program("python3");
}

/* LAVA's schema over the jobs: 0 valid, 1 some invalid, -1 not checked. */
static int validate_jobs(const struct strlist *files, const char *listfile)
{
    char *py = python_for_lava();
    if (!py) {
        note("jobs not checked against LAVA's schema: no python3");
        return -1;
    }
    FILE *f = fopen(listfile, "w");
    for (size_t i = 0; f && i < files->n; i++)
        fprintf(f, "%s\n", files->v[i]);
    if (!f || fclose(f) != 0) {
        free(py);
        note("cannot write '%s'", listfile);
        return 1;
    }
    char *script = xasprintf("%s/lava-validate.py", ASILAB_BENCH_DIR);
    char *argv[] = { py, script, (char *)listfile, NULL };
    struct ring out;
    ring_init(&out, 40);
    struct proc_result r;
    proc_run(argv, 300, collect_line, collect_line, &out, &r);
    int rc = r.exit_status == 0 && !r.timed_out && !r.signaled ? 0 : 1;
    if (r.exit_status == 3) {
        note("jobs not checked against LAVA's schema: %s",
             out.n ? ring_get(&out, out.n - 1) : "lava-common missing");
        rc = -1;
    } else {
        for (size_t i = 0; i < out.n; i++)
            fprintf(rc ? stderr : stdout, "  %s\n", ring_get(&out, i));
    }
    ring_free(&out);
    unlink(listfile);
    free(script);
    free(py);
    return rc;
}

int cmd_lava_jobs(const struct lava_args *l)
{
    const struct image_args *a = l->image;
    struct strlist types = { 0 }, tags = { 0 };
    if (!l->device_types)
        usage_error("lava needs --device-type TYPES (qemu, or a bare-metal x86 type of "
                    "your LAVA server)");
    split_list(l->device_types, &types);
    if (types.n > LAVA_MAX_TYPES)
        usage_error("--device-type: at most %d types", LAVA_MAX_TYPES);
    for (size_t i = 0; i < types.n; i++)
        if (!type_name_ok(types.v[i]))
            usage_error("bad --device-type '%s': expected names of letters, digits, "
                        "'_', '-', '.'", types.v[i]);
    if (l->tags)
        split_list(l->tags, &tags);
    for (size_t i = 0; i < tags.n; i++)
        if (!type_name_ok(tags.v[i]))
            usage_error("bad --tags '%s': expected names of letters, digits, '_', '-', '.'",
                        tags.v[i]);
    if (l->url && !url_ok(l->url))
        usage_error("bad --url '%s': expected file:///, http:// or https:// and no "
                    "quotes, spaces or other characters a job would change", l->url);
    size_t n;
    struct image_entry *e = image_entries(a, &n);
    bool metal = false, multi = false;
    for (size_t t = 0; t < types.n; t++)
        metal |= strcmp(types.v[t], "qemu") != 0;
    for (size_t k = 0; k < n; k++)
        multi |= e[k].wl->boots[e[k].b].modules[1] != NULL;
    if (metal && multi && (!l->url || strncmp(l->url, "http", 4)))
        usage_error("bare-metal device types fetch a boot's second module over HTTP: "
                    "give --url http://... where DIR/files will be served");
    if (!dir_empty(a->out))
        usage_error("output directory '%s' exists and is not empty: choose a new --out",
                    a->out);
    if (mkdir_p(a->out) != 0)
        usage_error("cannot create output directory '%s': %s", a->out, strerror(errno));
    char *abs = realpath(a->out, NULL);
    char *files = xasprintf("%s/files", abs);
    char *base = l->url ? xstrdup(l->url) : xasprintf("file://%s", files);
    size_t bl = strlen(base);
    while (bl > 8 && base[bl - 1] == '/')
        base[--bl] = 0;
    if (!url_ok(base))
        usage_error("output directory '%s' has characters a job URL cannot carry; "
                    "choose another --out or give --url", abs);
    bool ok = image_copy_files(files, a->build, e, n, false);
    char **bids = xmalloc(n * sizeof *bids);
    for (size_t k = 0; k < n; k++) {
        char *hv = hv_image_path(&(struct config){ .build = a->build }, e[k].variant,
                                 e[k].lean);
        bids[k] = build_id(hv);
        free(hv);
    }
    json_t *manifest = image_manifest(a, e, n, bids);
    json_t *jobs = json_array();
    struct strlist written = { 0 };
    for (size_t t = 0; t < types.n && ok; t++) {
        char *dir = xasprintf("%s/jobs/%s", abs, types.v[t]);
        if (mkdir_p(dir) != 0) {
            note("cannot create '%s': %s", dir, strerror(errno));
            ok = false;
        }
        for (size_t k = 0; k < n && ok; k++) {
            char *rel = xasprintf("jobs/%s/%04zu.yaml", types.v[t], k + 1);
            char *path = xasprintf("%s/%s", abs, rel);
            FILE *f = fopen(path, "w");
            if (!f) {
                note("cannot write '%s': %s", path, strerror(errno));
                ok = false;
            } else {
                bool qemu = strcmp(types.v[t], "qemu") == 0;
                job_head(f, &e[k], k, n, types.v[t], &tags, a->timing, qemu ? 15 : 30);
                if (qemu)
                    job_qemu(f, &e[k], base, a->timing);
                else
                    job_ipxe(f, &e[k], base, a->timing);
                ok = !ferror(f) && fclose(f) == 0;
                strlist_push(&written, path);
                json_array_append_new(jobs, json_pack("{s:I, s:s, s:s}", "entry",
                                                      (json_int_t)k + 1, "device_type",
                                                      types.v[t], "file", rel));
            }
            free(rel);
            free(path);
        }
        free(dir);
    }
    json_t *dt = json_array();
    for (size_t t = 0; t < types.n; t++)
        json_array_append_new(dt, json_string(types.v[t]));
    json_object_set_new(manifest, "lava", json_pack("{s:o, s:s, s:o}", "device_types", dt,
                                                    "url", base, "jobs", jobs));
    char *mpath = xasprintf("%s/manifest.json", abs);
    if (ok && json_dump_file(manifest, mpath, JSON_INDENT(1)) != 0) {
        note("cannot write '%s'", mpath);
        ok = false;
    }
    char *dev = xasprintf("%s/devices", abs), *devfile = xasprintf("%s/qemu-local.yaml", dev);
    if (ok && strlist_has(&types, "qemu") &&
        (mkdir_p(dev) != 0 || !write_device(devfile, a->timing))) {
        note("cannot write '%s'", devfile);
        ok = false;
    }
    int valid = -1;
    if (ok) {
        char *list = xasprintf("%s/.jobs-to-check", abs);
        valid = validate_jobs(&written, list);
        free(list);
        ok = valid != 1;
    }
    if (ok) {
        printf("lava: %zu jobs (%zu boots x %zu device types) in %s/jobs, %s against "
               "LAVA's schema; files in %s (jobs fetch them from %s); manifest %s\n",
               written.n, n, types.n, abs, valid == 0 ? "valid" : "NOT checked", files,
               base, mpath);
        if (strlist_has(&types, "qemu"))
            printf("run one here: lava-run --job-id 1 --output-dir OUT --device %s %s "
                   "2>job.log; then asilab lava collect %s --out RES 1=job.log\n", devfile,
                   written.v[0], abs);
        printf("on a server: asilab lava submit %s --server IDENTITY, then asilab lava "
               "collect %s --server IDENTITY --out RES\n", abs, abs);
    }
    for (size_t k = 0; k < n; k++)
        free(bids[k]);
    free(bids);
    json_decref(manifest);
    strlist_free(&written);
    strlist_free(&types);
    strlist_free(&tags);
    free(e);
    free(abs);
    free(files);
    free(base);
    free(mpath);
    free(dev);
    free(devfile);
    return ok ? 0 : 1;
}

/* ---- submit, collect ---- */

struct lava_dir {
    char *dir, *mpath;
    json_t *manifest, *jobs;       /* manifest's lava.jobs */
    size_t entries;
    json_t *submitted;             /* DIR/submitted.json, {"jobs":[{file, entry,
                                    * device_type, job_id, server}]} */
};

static bool lava_dir_load(struct lava_dir *d, const char *dir)
{
    memset(d, 0, sizeof *d);
    d->dir = xstrdup(dir);
    d->mpath = xasprintf("%s/manifest.json", dir);
    json_error_t err;
    d->manifest = json_load_file(d->mpath, JSON_REJECT_DUPLICATES, &err);
    json_t *lava = json_object_get(d->manifest, "lava");
    d->jobs = json_object_get(lava, "jobs");
    d->entries = (size_t)json_integer_value(json_object_get(d->manifest, "entries"));
    if (!d->manifest || !json_is_array(d->jobs) || !d->entries)
        usage_error("'%s' is not a directory of asilab lava jobs (%s)", dir,
                    d->manifest ? "no lava jobs in manifest.json" : err.text);
    char *sp = xasprintf("%s/submitted.json", dir);
    d->submitted = json_load_file(sp, 0, NULL);
    if (!d->submitted && access(sp, F_OK) == 0)
        usage_error("'%s' is unreadable: fix or remove it", sp);
    free(sp);
    if (!d->submitted)
        d->submitted = json_pack("{s:[]}", "jobs");
    return true;
}

static bool lava_dir_save(struct lava_dir *d)
{
    char *sp = xasprintf("%s/submitted.json", d->dir), *tmp = xasprintf("%s.tmp", sp);
    bool ok = json_dump_file(d->submitted, tmp, JSON_INDENT(1)) == 0 && rename(tmp, sp) == 0;
    if (!ok)
        note("cannot write '%s': %s", sp, strerror(errno));
    free(sp);
    free(tmp);
    return ok;
}

static void lava_dir_free(struct lava_dir *d)
{
    json_decref(d->manifest);
    json_decref(d->submitted);
    free(d->dir);
    free(d->mpath);
}

/* lavacli's identity arguments: --uri for a URL, -i for an identity. */
static void server_args(const char *server, char **argv)
{
    argv[0] = strstr(server, "://") ? "--uri" : "-i";
    argv[1] = (char *)server;
}

static bool server_ok(const char *s)
{
    size_t n = strlen(s);
    return n && n < 400 && s[0] != '-' &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_-.~:/%+@") == n;
}

static json_t *submitted_job(struct lava_dir *d, const char *file)
{
    json_t *j;
    size_t i;
    json_array_foreach(json_object_get(d->submitted, "jobs"), i, j)
        if (strcmp(json_string_value(json_object_get(j, "file")), file) == 0)
            return j;
    return NULL;
}

int cmd_lava_submit(const struct lava_args *l)
{
    if (!l->dir || !l->server)
        usage_error("lava submit needs DIR and --server IDENTITY|URI");
    if (!server_ok(l->server))
        usage_error("bad --server '%s': a lavacli identity or an http(s) RPC2 URI", l->server);
    char *lavacli = find_program("lavacli");
    if (!lavacli)
        usage_error("lava submit needs lavacli: apt-get install lavacli");
    struct lava_dir d;
    lava_dir_load(&d, l->dir);
    size_t i, done = 0, already = 0, total = json_array_size(d.jobs);
    json_t *j;
    int rc = 0;
    json_array_foreach(d.jobs, i, j) {
        const char *file = json_string_value(json_object_get(j, "file"));
        if (!file || strstr(file, "..") || file[0] == '/') {
            note("manifest job %zu has a bad file name", i + 1);
            rc = 1;
            break;
        }
        if (submitted_job(&d, file)) {
            already++;
            continue;
        }
        char *path = xasprintf("%s/%s", d.dir, file);
        char *argv[8] = { lavacli };
        server_args(l->server, argv + 1);
        argv[3] = "jobs";
        argv[4] = "submit";
        argv[5] = path;
        struct ring out;
        ring_init(&out, 40);
        bool ok = run_capture(argv, 120, &out);
        const char *last = out.n ? ring_get(&out, out.n - 1) : "";
        size_t idlen = strspn(last, "0123456789.");
        if (!ok || !idlen || last[idlen]) {
            note("lava: %s not submitted to %s: %s", file, l->server,
                 out.n ? last : "lavacli said nothing");
            for (size_t k = 0; out.n > 1 && k + 1 < out.n; k++)
                fprintf(stderr, "    | %s\n", ring_get(&out, k));
            ring_free(&out);
            free(path);
            rc = 1;
            break;
        }
        json_array_append_new(json_object_get(d.submitted, "jobs"),
                              json_pack("{s:s, s:O, s:O, s:s, s:s}", "file", file, "entry",
                                        json_object_get(j, "entry"), "device_type",
                                        json_object_get(j, "device_type"), "job_id", last,
                                        "server", l->server));
        printf("lava: %s submitted as job %s\n", file, last);
        ring_free(&out);
        free(path);
        done++;
        if (!lava_dir_save(&d)) {
            rc = 1;
            break;
        }
    }
    printf("lava: %zu of %zu jobs submitted now, %zu before; %zu not submitted (job ids "
           "in %s/submitted.json; run submit again to go on)\n", done, total, already,
           total - done - already, d.dir);
    lava_dir_free(&d);
    free(lavacli);
    return rc;
}

/* The value of a YAML double-quoted scalar starting after its opening
 * quote at s (LAVA's log lines: yaml.dump, default_style '"'), and where
 * it ends; NULL if it does not. */
static char *yaml_dq(const char *s, const char **end)
{
    size_t cap = strlen(s) + 1, n = 0;
    char *o = xmalloc(cap * 4 + 8);
    for (; *s && *s != '"'; s++) {
        if (*s != '\\') {
            o[n++] = *s;
            continue;
        }
        s++;
        unsigned long cp = 0;
        int hex = 0;
        switch (*s) {
        case '"': case '\\': case '/': case ' ': o[n++] = *s; break;
        case 'n': o[n++] = '\n'; break;
        case 't': o[n++] = '\t'; break;
        case 'r': o[n++] = '\r'; break;
        case '0': o[n++] = '\0'; break;
        case 'a': o[n++] = '\a'; break;
        case 'b': o[n++] = '\b'; break;
        case 'e': o[n++] = 0x1b; break;
        case 'f': o[n++] = '\f'; break;
        case 'v': o[n++] = '\v'; break;
        case 'N': cp = 0x85; hex = -1; break;
        case '_': cp = 0xa0; hex = -1; break;
        case 'L': cp = 0x2028; hex = -1; break;
        case 'P': cp = 0x2029; hex = -1; break;
        case 'x': hex = 2; break;
        case 'u': hex = 4; break;
        case 'U': hex = 8; break;
        default: free(o); return NULL;
        }
        for (int i = 0; i < hex; i++) {
            char c = *++s;
            int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (v < 0) {
                free(o);
                return NULL;
            }
            cp = cp * 16 + (unsigned long)v;
        }
        if (hex) {                 /* a code point, as UTF-8 */
            if (cp < 0x80) o[n++] = (char)cp;
            else if (cp < 0x800) { o[n++] = (char)(0xc0 | cp >> 6); o[n++] = (char)(0x80 | (cp & 0x3f)); }
            else if (cp < 0x10000) { o[n++] = (char)(0xe0 | cp >> 12); o[n++] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[n++] = (char)(0x80 | (cp & 0x3f)); }
            else { o[n++] = (char)(0xf0 | (cp >> 18 & 7)); o[n++] = (char)(0x80 | ((cp >> 12) & 0x3f)); o[n++] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[n++] = (char)(0x80 | (cp & 0x3f)); }
        }
    }
    if (*s != '"') {
        free(o);
        return NULL;
    }
    *end = s + 1;
    o[n] = 0;
    /* LAVA's ShellLogger wrote each '"' of the guest's as '\"' first */
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        if (o[r] == '\\' && r + 1 < n && o[r + 1] == '"')
            r++;
        o[w++] = o[r];
    }
    o[w] = 0;
    return o;
}

/* The guest's lines of a LAVA job log (one {"dt", "lvl", "msg"} mapping a
 * line; the guest's are lvl "target") appended to f after the boot's
 * marker; *bad counts lines that could not be read (first in *first_bad). */
static size_t log_to_serial(const char *path, FILE *f, size_t k, size_t n, size_t *bad,
                            size_t *first_bad)
{
    size_t len, lines = 0, lineno = 0;
    char *text = read_file(path, &len);
    if (!text)
        return (size_t)-1;
    fprintf(f, "@asilab-boot %zu/%zu\n", k, n);
    for (char *p = text, *next; p < text + len; p = next) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        next = nl ? nl + 1 : text + len;
        if (nl)
            *nl = 0;
        lineno++;
        if (!strstr(p, "\"lvl\": \"target\""))
            continue;
        const char *m = strstr(p, "\"msg\": \""), *end;
        char *msg = m ? yaml_dq(m + 8, &end) : NULL;
        if (!msg) {
            if ((*bad)++ == 0)
                *first_bad = lineno;
            continue;
        }
        fputs(msg, f);          /* NULs in it end it: ingest sees the rest as lost */
        fputc('\n', f);
        free(msg);
        lines++;
    }
    free(text);
    return lines;
}

/* lavacli ... jobs show ID --json: state and device, or false. */
static bool job_show(const char *lavacli, const char *server, const char *id,
                     char **state, char **device, char **why)
{
    char *argv[9] = { (char *)lavacli };
    server_args(server, argv + 1);
    argv[3] = "jobs";
    argv[4] = "show";
    argv[5] = (char *)id;
    argv[6] = "--json";
    struct ring out;
    ring_init(&out, 4000);
    bool ok = run_capture(argv, 120, &out);
    struct strlist all = { 0 };
    for (size_t i = 0; i < out.n; i++)
        strlist_push(&all, ring_get(&out, i));
    char *text = strlist_join(&all, "\n");
    json_t *j = ok ? json_loads(text, 0, NULL) : NULL;
    const char *st = json_string_value(json_object_get(j, "state"));
    const char *dev = json_string_value(json_object_get(j, "device"));
    if (st) {
        *state = xstrdup(st);
        *device = dev && type_name_ok(dev) ? xstrdup(dev) : NULL;
    } else {
        *why = xstrdup(out.n ? ring_get(&out, out.n - 1) : "lavacli said nothing");
    }
    json_decref(j);
    free(text);
    strlist_free(&all);
    ring_free(&out);
    return st != NULL;
}

struct fetch { FILE *f; struct ring err; };

static bool fetch_out(void *ctx, char *line, size_t len, size_t lineno)
{
    (void)lineno;
    struct fetch *x = ctx;
    fwrite(line, 1, len, x->f);
    fputc('\n', x->f);
    return true;
}

static bool fetch_err(void *ctx, char *line, size_t len, size_t lineno)
{
    struct fetch *x = ctx;
    return collect_line(&x->err, line, len, lineno);
}

/* argv's standard output into path (a job's log: it can be long). */
static bool lava_fetch_to(char **argv, const char *path, char **why)
{
    struct fetch x = { .f = fopen(path, "w") };
    if (!x.f) {
        *why = xasprintf("cannot write '%s': %s", path, strerror(errno));
        return false;
    }
    ring_init(&x.err, 5);
    struct proc_result r;
    proc_run(argv, 600, fetch_out, fetch_err, &x, &r);
    bool ok = !r.timed_out && !r.signaled && r.exit_status == 0;
    ok &= !ferror(x.f);
    ok &= fclose(x.f) == 0;
    if (!ok)
        *why = xstrdup(x.err.n ? ring_get(&x.err, x.err.n - 1)
                               : r.timed_out ? "lavacli timed out" : "lavacli failed");
    ring_free(&x.err);
    return ok;
}

int cmd_lava_collect(const struct lava_args *l)
{
    if (!l->dir || !l->out)
        usage_error("lava collect needs DIR and --out OUT");
    if (!dir_empty(l->out))
        usage_error("output directory '%s' exists and is not empty: choose a new --out",
                    l->out);
    struct lava_dir d;
    lava_dir_load(&d, l->dir);
    size_t n = d.entries;
    char **host = xmalloc(n * sizeof *host), **job = xmalloc(n * sizeof *job);
    char **log = xmalloc(n * sizeof *log), **type = xmalloc(n * sizeof *type);
    memset(host, 0, n * sizeof *host);
    memset(job, 0, n * sizeof *job);
    memset(log, 0, n * sizeof *log);
    memset(type, 0, n * sizeof *type);
    struct strlist problems = { 0 }, types = { 0 };
    const char *local_type = l->device_types ? l->device_types
        : json_string_value(json_array_get(json_object_get(json_object_get(d.manifest, "lava"),
                                                           "device_types"), 0));
    char *logdir = xasprintf("%s/logs", d.dir);
    if (mkdir_p(logdir) != 0)
        usage_error("cannot create '%s': %s", logdir, strerror(errno));
    if (l->nlogs) {                       /* ENTRY=LOG: lava-run's own logs */
        if (l->server)
            usage_error("lava collect: ENTRY=LOG or --server, not both");
        for (int i = 0; i < l->nlogs; i++) {
            char *e;
            long k = strtol(l->logs[i], &e, 10);
            if (e == l->logs[i] || *e != '=' || k < 1 || (size_t)k > n || !e[1])
                usage_error("bad job log '%s': expected ENTRY=LOG, ENTRY 1..%zu", l->logs[i], n);
            if (log[k - 1])
                usage_error("entry %ld given twice", k);
            log[k - 1] = xstrdup(e + 1);
            type[k - 1] = xstrdup(local_type);
        }
    } else {
        if (!l->server)
            usage_error("lava collect needs --server IDENTITY|URI (the jobs' server) or "
                        "ENTRY=LOG arguments (local lava-run logs)");
        if (!server_ok(l->server))
            usage_error("bad --server '%s'", l->server);
        char *lavacli = find_program("lavacli");
        if (!lavacli)
            usage_error("lava collect needs lavacli: apt-get install lavacli");
        size_t i;
        json_t *j;
        json_array_foreach(json_object_get(d.submitted, "jobs"), i, j) {
            const char *id = json_string_value(json_object_get(j, "job_id"));
            const char *t = json_string_value(json_object_get(j, "device_type"));
            json_int_t k = json_integer_value(json_object_get(j, "entry"));
            if (!id || strspn(id, "0123456789.") != strlen(id) || !t || !type_name_ok(t) ||
                k < 1 || (size_t)k > n) {
                strlist_push(&problems, "submitted.json: a malformed job");
                continue;
            }
            if (l->device_types && strcmp(t, l->device_types))
                continue;
            char *state = NULL, *device = NULL, *why = NULL;
            if (!job_show(lavacli, l->server, id, &state, &device, &why)) {
                char *p = xasprintf("job %s (entry %lld): %s", id, (long long)k, why);
                note("lava: %s", p);
                strlist_push(&problems, p);
                free(p);
                free(why);
                continue;
            }
            if (strcmp(state, "Finished")) {
                char *p = xasprintf("job %s (entry %lld) is %s: not collected", id,
                                    (long long)k, state);
                note("lava: %s", p);
                strlist_push(&problems, p);
                free(p);
            } else {
                char *path = xasprintf("%s/job-%s.yaml", logdir, id);
                char *argv[10] = { lavacli };
                server_args(l->server, argv + 1);
                argv[3] = "jobs"; argv[4] = "logs"; argv[5] = (char *)id;
                argv[6] = "--no-follow"; argv[7] = "--raw";
                if (lava_fetch_to(argv, path, &why)) {
                    log[k - 1] = path;
                    type[k - 1] = xstrdup(t);
                    host[k - 1] = device;
                    job[k - 1] = xstrdup(id);
                    device = NULL;
                } else {
                    char *p = xasprintf("job %s (entry %lld): log not fetched: %s", id,
                                        (long long)k, why);
                    note("lava: %s", p);
                    strlist_push(&problems, p);
                    free(p);
                    free(why);
                    free(path);
                }
            }
            free(state);
            free(device);
        }
        free(lavacli);
    }
    for (size_t k = 0; k < n; k++)
        if (type[k] && !strlist_has(&types, type[k]))
            strlist_push(&types, type[k]);
    int rc = problems.n ? 1 : 0;
    if (!types.n) {
        note("lava collect: no job logs to collect");
        rc = 1;
    }
    if (types.n && mkdir_p(l->out) != 0)
        usage_error("cannot create output directory '%s': %s", l->out, strerror(errno));
    for (size_t t = 0; t < types.n; t++) {
        char *serial = xasprintf("%s/%s.serial.log", l->out, types.v[t]);
        FILE *f = fopen(serial, "w");
        if (!f)
            usage_error("cannot write '%s': %s", serial, strerror(errno));
        size_t jobs = 0;
        for (size_t k = 0; k < n; k++) {
            if (!type[k] || strcmp(type[k], types.v[t]))
                continue;
            size_t bad = 0, first_bad = 0;
            size_t got = log_to_serial(log[k], f, k + 1, n, &bad, &first_bad);
            if (got == (size_t)-1) {
                note("lava collect: cannot read '%s': %s", log[k], strerror(errno));
                rc = 1;
            } else if (bad) {
                note("lava collect: %s: %zu guest line(s) not readable (first: line %zu)",
                     log[k], bad, first_bad);
            }
            jobs++;
        }
        if (fclose(f) != 0)
            usage_error("cannot write '%s'", serial);
        char *out = xasprintf("%s/%s", l->out, types.v[t]);
        printf("lava collect: %zu job logs of '%s' -> %s, ingested into %s\n", jobs,
               types.v[t], serial, out);
        fflush(stdout);
        char *logs[] = { serial };
        struct ingest_args ia = { .manifest = d.mpath, .host = l->host ? l->host : types.v[t],
                                  .build = l->build, .out = out, .logs = logs, .nlogs = 1,
                                  .entry_host = l->host ? NULL : host, .entry_job = job,
                                  .nentry = n };
        rc |= cmd_ingest(&ia);
        free(out);
        free(serial);
    }
    for (size_t k = 0; k < n; k++) {
        free(host[k]);
        free(job[k]);
        free(log[k]);
        free(type[k]);
    }
    free(host); free(job); free(log); free(type);
    free(logdir);
    strlist_free(&problems);
    strlist_free(&types);
    lava_dir_free(&d);
    return rc;
}
