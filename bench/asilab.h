/* asilab.h — shared declarations of the asilab host runner: workload
 * catalog, QEMU launcher, record validation, provenance, result table and
 * results.json. */
#ifndef ASILAB_H
#define ASILAB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* The hv's limits: NR_CPUS, MAX_DOMAINS, MAX_VCPUS (per domain) from its
 * own config.h; its domain builder refuses mem= above HV_DOMAIN_MIB_MAX
 * (a domain without mem= gets HV_DOMAIN_MIB); QEMU gets ASILAB_QEMU_MIB. */
#include "../hv/include/config.h"
#define HV_DOMAIN_MIB_MAX 64
#define HV_DOMAIN_MIB 4
#define ASILAB_QEMU_MIB 256

#define ASILAB_STR_(x) #x
#define ASILAB_STR(x) ASILAB_STR_(x)

#define ASILAB_MAX_MODULES 4
#define ASILAB_MAX_BOOTS 8
#define ASILAB_CONSOLE_KEEP 40   /* console noise lines kept per boot */
#define ASILAB_STDERR_KEEP 20    /* QEMU stderr lines kept per boot */
#define ASILAB_NATIVE_MAX 20.0   /* calibration cycles/iter above this = emulated */

/* ---- util.c: allocation, messages, lists, rings, clocks ---- */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));  /* "asilab: ..." exit 2 */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int mkdir_p(const char *path);
int remove_tree(const char *path);     /* rm -r; 0 if gone or absent */
/* The whole file, NUL-terminated (its length in *len if len), or NULL. */
char *read_file(const char *path, size_t *len);
/* True if path does not exist or is an empty directory. */
bool dir_empty(const char *path);
double mono_now(void);
char *find_program(const char *name);   /* PATH look-up; NULL if none */
char *shell_quote(const char *s);
size_t utf8_seq(const unsigned char *s, size_t n);
size_t utf8_bad_at(const char *s, size_t n);
char *text_escape(const char *s, size_t n, bool backslash);
const char *fmt_num(double v, char *buf, size_t n);

struct strlist { char **v; size_t n, cap; };
void strlist_push(struct strlist *l, const char *s);
bool strlist_has(const struct strlist *l, const char *s);
char *strlist_join(const struct strlist *l, const char *sep);
void strlist_free(struct strlist *l);

struct ring { char **v; size_t cap, n, head; };  /* the last cap lines */
void ring_init(struct ring *r, size_t cap);
void ring_push(struct ring *r, const char *line);
const char *ring_get(const struct ring *r, size_t i);  /* 0 = oldest kept */
void ring_free(struct ring *r);

extern volatile sig_atomic_t asilab_interrupted;

/* ---- catalog.c: workload recipes and hv variants in the build dir ---- */
struct wl_boot {
    const char *modules[ASILAB_MAX_MODULES + 1];   /* "file args" */
    int min_smp;              /* skipped on fewer virtual CPUs (0: any) */
};
struct workload {
    const char *name;
    bool expect_fail;          /* hv code 1 is the expected outcome; not in 'all' */
    const char *what;
    const char *ops;           /* the result ops its boots record ("touch_<P>":
                                * one per value of an argument), NULL: none */
    int nboots;
    struct wl_boot boots[ASILAB_MAX_BOOTS];
    bool needs_robustness;     /* each boot: exactly one valid robustness
                                * record (survived, no invariant failure) */
    const char *xen_skip;      /* why it cannot run on Xen (xen.c), or NULL */
};
extern const struct workload workload_table[];
extern const size_t workload_count;
const struct workload *workload_find(const char *name);
char *module_file(const char *module);       /* "ctxsw.elf" of "ctxsw.elf a=b" */
const char *module_args(const char *module); /* "a=b" or "" */
int variants_scan(const char *build, struct strlist *out);
void workload_missing(const char *build, const struct workload *w,
                      struct strlist *missing);
void select_names(const char *arg, const char *kind, const struct strlist *valid,
                  const struct strlist *all, struct strlist *out);

/* ---- xen.c: real Xen as the hypervisor (--hv xen[=PATH]) ---- */
#define XEN_VARIANT_MAX 47       /* the guests' lab_info.variant[48] */
#define XEN_DOM0_MIB_MIN 16
#define XEN_TIMEOUT_S 180        /* a Xen boot's default --timeout */
struct xen_variant {
    char *name;                  /* "xen-4.17:xpti=dom0=true" */
    char *image;                 /* the multiboot ELF */
    char *opts;                  /* --xen-cmdline ("" for Xen's defaults) */
};
enum xen_end { XEN_END_NONE, XEN_END_HALTED, XEN_END_CRASHED, XEN_END_SHUTDOWN,
               XEN_END_PANIC };
struct xen_console {
    char *version, *changeset, *cmdline;   /* as Xen printed them */
    char *xpti;                  /* "Dom0 enabled, DomU enabled (with PCID)" */
    char *panic;                 /* the line after "Panic on CPU N:" */
    bool panic_next;
    enum xen_end end;            /* what ended the run */
    char *end_line;
};
char *xen_image_check(const char *path);
bool xen_variant_name_ok(const char *s);
char *xen_variant_name(const char *path, const char *opts, char **why);
const char *xen_skip_reason(const struct workload *w, int b);
char *xen_cmdline(const struct workload *w, int b, const char *opts);
void xen_console_line(struct xen_console *x, const char *line);
void xen_console_free(struct xen_console *x);

/* ---- series.c: scaling series, boots generated from --series NAME[=VALUES] ---- */
/* A workload (name of the catalog workload, what = the series' name) of the
 * series' boots; bad names or values, or a missing module, are usage
 * errors.  smp: the --smp value (flush_targets boots one vCPU per pCPU). */
struct workload *series_make(const char *arg, int smp, const char *build);
void series_free(struct workload *w);
void series_list(const char *build, FILE *f);   /* for 'asilab list' */

/* ---- qemu.c: command line, process with timeout, version ---- */
struct config {
    const char *build;    /* absolute */
    const char *out;
    const char *qemu;     /* resolved executable */
    const char *kvm_cpu;  /* -cpu of kvm boots; NULL: host (tcg: max) */
    bool tcg_timing;      /* --accel tcg-timing: plain TCG, mode=timing */
    bool lean;            /* --image lean: build/lean/hv-V.elf, no counters */
    bool paired;          /* --image paired: each boot on lean, then counting */
    int smp;
    double timeout;
    double xen_timeout;   /* a Xen boot's (Xen boots first): --timeout, else 180 */
};

struct proc_result {
    bool timed_out, interrupted, stopped, signaled;
    bool log_cut;              /* a boot read from a log (ingest) that ends
                                * before the hv's exit line */
    int exit_status, term_signal;
    double elapsed;
};
/* Called per line: len bytes (any bytes, NULs too) and a NUL after them,
 * no newline; return false to stop. */
typedef bool (*line_fn)(void *ctx, char *line, size_t len, size_t lineno);
void proc_run(char *const argv[], double timeout, line_fn on_out,
              line_fn on_err, void *ctx, struct proc_result *res);
/* proc_run in parts, for several processes at a time: proc_wait_any serves
 * ps (NULL entries skipped) until one is done, finishes it (result filled
 * in, entry set to NULL) and returns its index; -1 when ps holds none. */
struct proc;
struct proc *proc_start(char *const argv[], double timeout, line_fn on_out,
                        line_fn on_err, void *ctx, struct proc_result *res);
int proc_wait_any(struct proc **ps, size_t n);
char *qemu_find(const char *override, char **why);
char *qemu_version(const char *qemu);
/* append: the kernel's command line (NULL: the asilab hv's mode=) */
char **qemu_argv(const struct config *cfg, const char *hv, bool kvm,
                 const struct strlist *modules, const char *append);
char *argv_join(char *const argv[]);
void argv_free(char **argv);

/* ---- records.c: validation of @asilab records ---- */
struct expect {
    const char *variant, *mode, *unit;
    bool lean;                 /* a lean image: results carry no events */
    bool xen;                  /* on Xen: image "xen", no events */
    const char *workloads[ASILAB_MAX_MODULES + 2];  /* accepted names */
};
bool record_validate(json_t *rec, const struct expect *e, char *why, size_t n);

/* ---- accept.c: safe names; which records results.json and plots use ---- */
#define ASILAB_NAME_MAX 64
bool name_ok(const char *s);           /* ^[a-z0-9_]{1,64}$: workload, op */
bool variant_name_ok(const char *s);   /* such names joined by '+' */
enum accept { ACCEPT_OK, ACCEPT_BOOT, ACCEPT_INVALID, ACCEPT_NAMES, NACCEPT };
extern const char *const accept_what[NACCEPT];   /* why, per reason */
enum accept record_accept(json_t *rec);          /* result or exposure */
char *accept_counts(const size_t *counts, const char *const *what, size_t n);

/* ---- pair.c: lean and counting results of one boot side by side ---- */
bool result_lean(json_t *rec);      /* its "image" is "lean" */
bool result_xen(json_t *rec);       /* "xen": a Xen boot's, never paired */
/* recs[0..n): result records.  partner[i]: the index of the other
 * image's result paired with recs[i] (same rep, variant, workload, boot
 * modules and op; k-th with k-th), or -1. */
void results_pair(json_t *const *recs, size_t n, long *partner);

/* ---- boot.c: one boot of one variant with one workload recipe ---- */
/* interrupted: the runner got SIGINT/SIGTERM and killed the boot's QEMU */
enum boot_status { BOOT_PASS, BOOT_FAIL, BOOT_TIMEOUT, BOOT_CRASH, BOOT_INTERRUPTED,
                   BOOT_INCOMPLETE };   /* incomplete: a log (ingest) ends inside it */
const char *boot_status_name(enum boot_status s);

struct boot_spec {
    const char *variant;
    const struct workload *wl;
    int index;                 /* which boot of the workload */
    bool kvm;
    bool timing;               /* mode=timing: kvm, or --accel tcg-timing */
    bool lean;                 /* the lean image (--image lean or paired) */
    char *hv_path;
    struct strlist modules;    /* "ABSPATH args" */
    char **argv;
    char *cmdline;
    char *label;               /* "ctxsw (mode=cross domains=2)" */
    int rep;                   /* 1.. with --reps > 1, else 0 (no "rep") */
    const struct xen_variant *xen;   /* a Xen boot (dom0 = the workload), or NULL */
    char *xen_cmdline;         /* with xen: Xen's command line */
    bool from_log;             /* read back from a serial log (ingest), not run */
};
char *hv_image_path(const struct config *cfg, const char *variant, bool lean);
void boot_spec_init(struct boot_spec *s, const struct config *cfg,
                    const char *variant, const struct workload *wl, int index,
                    bool kvm, bool lean);
void boot_spec_init_xen(struct boot_spec *s, const struct config *cfg,
                        const struct xen_variant *x, const struct workload *wl,
                        int index, bool kvm);
void boot_spec_free(struct boot_spec *s);

struct rec {
    size_t lineno;
    char *raw;        /* the JSON text after the tag, verbatim (or escaped) */
    bool raw_escaped; /* raw: text_escape of bytes that were not UTF-8 */
    json_t *obj;      /* NULL when unparsable */
    char *error;      /* NULL when valid */
    bool timing_invalid;
    const char *invalid_reason;   /* with timing_invalid: why (the boot's) */
};

struct boot_out {
    enum boot_status status;
    char *reason;               /* first problem (+N more) or NULL */
    struct strlist problems;
    struct rec *recs;
    size_t nrecs, cap;
    size_t nrecords;            /* tagged lines before the end record */
    size_t nresults;
    size_t nrobust;             /* valid robustness records: survived, clean */
    bool end_seen, have_calib;
    const char *end_status;
    long long end_count;
    double calib_median;
    bool have_platform;         /* the hv's "platform" record */
    char hypervisor[16];        /* its "hypervisor" */
    int syscall_cpl;            /* its "syscall_cpl" */
    char pcid[16];              /* its "pcid": on, off, unavailable */
    char *kvm_error;            /* "KVM internal error ..." seen on stderr */
    struct xen_console xen;     /* a Xen boot: what Xen's own lines said */
    struct ring console, qerr;
    struct proc_result proc;
};
void boot_run(const struct config *cfg, const struct boot_spec *s,
              bool stop_at_calibration, struct boot_out *out);
/* boot_run in parts: boot_start, proc_wait_any until *proc is done, then
 * boot_finish (the verdict; frees the context). */
struct bctx;
struct bctx *boot_start(const struct config *cfg, const struct boot_spec *s,
                        bool stop_at_calibration, struct boot_out *out,
                        struct proc **proc);
void boot_finish(struct bctx *c);
/* A boot read back from a serial log (asilab ingest): the spec of an
 * image's entry (modules as the image holds them), then its lines one by
 * one (an "hv: exit code N" line is its exit), then the verdict: cut, the
 * log ended before the hv's exit line. */
void boot_spec_init_log(struct boot_spec *s, const char *variant,
                        const struct workload *wl, int index, bool timing, bool lean);
struct bctx *boot_log_start(const struct config *cfg, const struct boot_spec *s,
                            struct boot_out *out);
void boot_log_line(struct bctx *c, char *line, size_t len, size_t lineno);
void boot_log_finish(struct bctx *c, bool cut);
/* The exit code of an on_exit=reboot or on_exit=halt hv's last line
 * ("hv: exit code N, resetting" / "..., halting"), or -1. */
int hv_exit_line(const char *line);
const char *boot_qemu_error(const struct boot_out *out);
void boot_out_free(struct boot_out *out);

/* ---- accel.c: choosing tcg or kvm ---- */
enum accel { ACCEL_AUTO, ACCEL_TCG, ACCEL_KVM, ACCEL_TCG_TIMING };
char *kvm_modules(void);            /* "kvm_pvm", "kvm_intel,..." or "none" */
const char *cpu_virt_flag(void);    /* "vmx", "svm" or "none" */
/* NULL if a timing boot's figures are real cycles; else why not (static
 * or owned by o). */
const char *timing_invalid_reason(const struct boot_spec *s, const struct boot_out *o);
bool accel_choose(const struct config *cfg, enum accel req, const char *variant,
                  const struct workload *probe_wl);
enum kvm_state { KVM_PRESENT, KVM_ABSENT, KVM_NO_ACCESS };
const char *kvm_device(void);              /* /dev/kvm or $ASILAB_KVM_DEVICE */
enum kvm_state kvm_state(char **why);      /* *why: NULL when present */
bool kvm_probe(const struct config *cfg, const char *variant,
               const struct workload *wl, double *median, char **why);

/* ---- perf.c: host-side PMU counts of each QEMU (run --perf) ---- */
struct perf {
    char *perf;     /* the perf executable; NULL: not wrapping */
    char *file;     /* perf stat -o FILE of the current boot */
    char *kvm_file; /* perf kvm stat record -o FILE of the current kvm boot */
    char *kvm_reason; /* why perf kvm stat cannot run (kvm runs), or NULL */
    char *reason;   /* why counts are unavailable for every boot, or NULL */
};
/* Finds perf and checks perf stat (and, for a kvm run, perf kvm stat
 * record) runs; p->reason / p->kvm_reason say why not. */
void perf_setup(struct perf *p, bool kvm);
/* perf stat -x, -e cycles,instructions -o FILE -- ARGV (NULL: not wrapping),
 * a kvm boot also under perf kvm stat record -q -o KVM_FILE -- */
char **perf_argv(const struct perf *p, char *const argv[], bool kvm);
/* "perf" (and "perf_reason") in prov from the boot's FILE, a kvm boot's
 * "perf_kvm" (and "perf_kvm_reason") from KVM_FILE; the files removed. */
void perf_provenance(const struct perf *p, json_t *prov, bool kvm);
/* The VM-EXIT table of `perf kvm stat report`: NULL and *exits =
 * {"exits": N, "by_reason": {...}}, or why not (malloc'd). */
char *perf_kvm_parse(const char *text, json_t **exits);
void perf_free(struct perf *p);
/* Looks "perf stat" output over: NULL if the events in text were counted,
 * else why not.  cycles/instructions (or NULL) get the sums. */
char *perf_parse(const char *text, long long *cycles, long long *instructions);

/* ---- env.c: asilab env, asilab compare ---- */
int cmd_env(struct config *cfg, const char *build_arg, const char *qemu_override);
int cmd_compare(const char *a, const char *b);

/* ---- provenance.c: host facts, build ids, records.jsonl lines ---- */
struct host_info {
    char *cpu_model, *microcode, *kernel, *hostname, *qemu_version, *date;
    char *kvm_module, *cpu_virt;   /* kvm_modules(), cpu_virt_flag() */
    int family, model, stepping;   /* -1 = unknown */
};
void host_info_collect(struct host_info *h, const char *qemu);
void host_info_free(struct host_info *h);
char *build_id(const char *path);
json_t *provenance_make(const struct host_info *h, const struct boot_spec *s,
                        const char *build_id, const char *boot_status, const char *pcid);
void provenance_xen(json_t *prov, const struct xen_console *x);
void records_write(FILE *f, const struct boot_out *b, json_t *prov);

/* ---- results.c: OUT/results.json (Google Benchmark JSON) ---- */
/* One benchmark per result record of records_path whose boot passed, that
 * is valid and has "values"; the rest are skipped and counted on stderr.
 * With no such record, no results.json (a stale one is removed).  false if
 * records_path is unreadable or results.json could not be written. */
bool results_write(const char *records_path, const char *out_dir);
/* A result record results.json takes (accepted, values usable); why: an
 * accept reason, or past NACCEPT "without usable values" (history.c too). */
bool result_usable(json_t *rec, int *why);

/* ---- sha256.c ---- */
void sha256(const unsigned char *data, size_t len, unsigned char out[32]);

/* ---- table.c: the summary tables printed after a run ---- */
struct table;
struct table *table_new(void);
void table_add(struct table *t, json_t *result, json_t *prov, const char *note);
void table_add_record(struct table *t, json_t *rec);  /* exposure, probe */
void table_print(struct table *t, FILE *f);   /* once */
void table_free(struct table *t);

/* ---- image.c: asilab image, a GRUB ISO and PXE folder of a boot matrix ---- */
struct image_args {
    const struct strlist *variants, *workloads;   /* selected names */
    const char *build, *out;
    bool lean, paired;         /* --image */
    bool timing;               /* --mode timing (default) or deterministic */
    int cmos;                  /* first of the chain's three CMOS bytes */
    int menu_timeout;          /* seconds GRUB's menu waits outside a chain */
};
int cmd_image(const struct image_args *a);
/* For image and lava: the boots of the matrix in entry order (variant,
 * workload, boot; paired: lean then counting), modules checked against a
 * boot loader's command line; their manifest (cmos only if a->cmos); the
 * hv images and workloads copied under root/asilab/ (grub: and
 * root/boot/grub made). */
struct image_entry {
    const char *variant;
    bool lean;
    const struct workload *wl;
    int b;                      /* the workload's boot */
};
struct image_entry *image_entries(const struct image_args *a, size_t *n);
json_t *image_manifest(const struct image_args *a, const struct image_entry *e, size_t n,
                       char **bids);
bool image_copy_files(const char *root, const char *build, const struct image_entry *e,
                      size_t n, bool grub);

/* ---- ingest.c: asilab ingest, a captured serial log into a result set ---- */
struct ingest_args {
    const char *manifest, *host, *build, *out;
    char **logs;
    int nlogs;
    /* asilab lava collect: per entry (index entry-1, n of them) the LAVA
     * device that ran it (overrides host) and its job id, or NULL */
    char **entry_host, **entry_job;
    size_t nentry;
};
int cmd_ingest(const struct ingest_args *a);

/* ---- lava.c: asilab lava, the matrix as LAVA jobs; submit, collect ---- */
struct lava_args {
    const struct image_args *image;   /* the matrix, out: the jobs' DIR */
    const char *device_types, *tags, *url;
    const char *dir, *server, *out, *host, *build;   /* submit, collect */
    char **logs;               /* collect: ENTRY=LOG (local lava-run logs) */
    int nlogs;
};
int cmd_lava_jobs(const struct lava_args *l);
int cmd_lava_submit(const struct lava_args *l);
int cmd_lava_collect(const struct lava_args *l);

/* ---- history.c: asilab history, result sets in a SQLite database ---- */
struct history_args {
    const char *db;            /* --db (default asilab-history.sqlite) */
    bool add;                  /* history add DIR... */
    char **dirs;
    int ndirs;
    const char *op, *variant, *host, *mode, *plot;   /* selection, --plot OUT */
    bool changes;              /* --changes: only the flagged runs */
    const char *scripts;       /* plots/ (history.gp) */
};
int cmd_history(const struct history_args *a);

/* ---- plot.c: asilab plot ---- */
int cmd_plot(const char *dir, const char *scripts);

/* ---- gnuplot.c: gnuplot without a shell, for plot.c and history.c ---- */
/* name='value' (a single-quoted gnuplot string: nothing interpreted,
 * control characters '?') or name=N appended to *vars */
void var_str(char **vars, const char *name, const char *value);
void var_int(char **vars, const char *name, long value);
bool gnuplot_find(void);     /* false, with the message, if not installed */
/* out.png and out.svg from scripts/script with vars; out.log keeps
 * gnuplot's complaints, if any; -1 if either failed */
int gnuplot_draw(const char *scripts, const char *script, const char *out,
                 const char *vars);

#endif
