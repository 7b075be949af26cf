/* catalog.c — what can be run: the workload recipes (boots and their
 * multiboot modules) and the hv variants found as hv-<variant>.elf. */
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asilab.h"

/* One workload may need several boots; a boot is a list of multiboot
 * modules "file args" (file under <build>/workloads/). */
const struct workload workload_table[] = {
    { .name = "hypercall", .what = "null hypercall round trips",
      .ops = "null_hypercall", .nboots = 1,
      .boots = { { { "hypercall.elf", NULL }, 0 } } },
    { .name = "syscall", .what = "guest syscall round trips via the hv",
      .ops = "null_syscall null_syscall_shared_l4", .nboots = 1,
      .boots = { { { "syscall.elf", NULL }, 0 } } },
    { .name = "ctxsw", .what = "vCPU context switches: same domain, cross domain (also "
      "with a runstate area, in one page or straddling two), and back from a "
      "spinning domain by timer preemption; a wake-up across pCPUs",
      .ops = "yield_same_domain yield_cross_domain yield_cross_domain_runstate "
      "yield_cross_domain_runstate_straddle yield_to_spinner wake_cross_pcpu", .nboots = 6,
      .boots = { { { "ctxsw.elf mode=same vcpus=2", NULL }, 0 },
                 { { "ctxsw.elf mode=cross domains=2", NULL }, 0 },
                 { { "ctxsw.elf mode=cross domains=2 runstate=inpage", NULL }, 0 },
                 { { "ctxsw.elf mode=cross domains=2 runstate=straddle", NULL }, 0 },
                 { { "ctxsw.elf mode=preempt domains=2 samples=3", NULL }, 0 },
                 { { "ctxsw.elf mode=wake vcpus=2 spread=1", NULL }, 2 } } },
    { .name = "gdt_ldt", .what = "set_gdt, update_descriptor, SET_LDT, lazy LDT first touch",
      .ops = "set_gdt_1 set_gdt_14 update_descriptor set_ldt ldt_first_touch "
      "ldt_selector_reload yield_default_gdt yield_own_gdt", .nboots = 1,
      .boots = { { { "gdt_ldt.elf vcpus=2", NULL }, 0 } } },
    { .name = "flush", .what = "local/remote TLB flushes, live L1/L4 entry updates, "
      "a CLEAR_PAGE batch, refill",
      .ops = "tlb_flush_local invlpg_local mmu_update_l1 mmu_update_l4 clear_pages_32 touch_<P> "
      "tlb_flush_local_touch_<P> flush_remote_<N> mmu_update_l4_remote_live", .nboots = 2,
      .boots = { { { "flush.elf ops=local", NULL }, 0 },
                 { { "flush.elf ops=remote vcpus=2 spread=1", NULL }, 2 } } },
    { .name = "procswitch", .what = "guest process switch (NEW_BASEPTR + "
      "NEW_USER_BASEPTR), then touching P pages",
      .ops = "procswitch_<P>", .nboots = 1,
      .boots = { { { "procswitch.elf", NULL }, 0 } } },
    { .name = "emul", .what = "instruction emulation and software interrupts (Xen's "
      "semantics checked first, event channels too): FEP CPUID, RDMSR, mov from CR0, "
      "int $0x80, an event upcall",
      .ops = "fep_cpuid rdmsr_emul mov_cr0_read int_n upcall", .nboots = 1,
      .xen_skip = "checks the asilab hv's own CPUID policy and MMU audit (lab hypercall)",
      .boots = { { { "emul.elf", NULL }, 0 } } },
    { .name = "gnttab", .what = "grant tables: a page granted to ourselves, map + unmap "
      "round trip, 4 KiB grant copy (after Xen's refusals, XSA cases, another domain's "
      "grants and 1000 random calls, all audited)",
      .ops = "map_unmap copy_4k", .nboots = 1,
      .boots = { { { "gnttab.elf random=1000 peer=1", "gnttab.elf grant_to=0", NULL }, 0 } } },
    { .name = "leak", .what = "hv stack contents after a switch (stack zeroing probe)",
      .nboots = 1,
      .boots = { { { "leak.elf domains=2", NULL }, 0 } } },
    { .name = "exposure", .what = "isolation audit: bytes mapped per class, guest and hv mode",
      .nboots = 1,
      .boots = { { { "exposure.elf domains=2 vcpus=2 spread=1", NULL }, 0 } } },
    /* Two upper-half kernels (dom0 with 8 MiB, a domU with 4) check the
     * builder's layout, the M2P and memory_op; dom0 measures one op. */
    { .name = "layout", .what = "Xen's PV builder layout, the M2P and memory_op, "
      "from an upper-half kernel (MMU_MACHPHYS_UPDATE)",
      .ops = "m2p_update", .nboots = 1,
      .boots = { { { "layout.elf mem=8", "layout.elf mem=4", NULL }, 0 } } },
    { .name = "abi", .what = "Xen PV ABI conformance: multicall, xen_version, vm_assist, "
      "console_io, set_segment_base, update_va_mapping_otherdomain, mmuext_op (Xen's "
      "results and error codes); then a multicall of two null hypercalls",
      .ops = "multicall_null_2", .nboots = 1,
      .boots = { { { "abi.elf vcpus=2", "abi.elf bench=1", NULL }, 0 } } },
    /* Expected to fail (the hostile domain crashes itself at the end), so
     * not in 'all'; a boot passes only with its robustness record. */
    { .name = "hostile", .expect_fail = true, .needs_robustness = true,
      .what = "hostile domain vs hv invariants (crashes on purpose)", .nboots = 2,
      .boots = { { { "hostile.elf random=10000 seed=1 vcpus=2", "hypercall.elf", NULL }, 0 },
                 { { "hostile.elf crash=iret vcpus=2", "hypercall.elf pcpu=1", NULL }, 0 } } },
    { .name = "hostile_fuzz", .expect_fail = true, .needs_robustness = true,
      .what = "hostile with 10^5 seeded random calls, seeds 1..4 (crashes on purpose)",
      .nboots = 4,
      .boots = { { { "hostile.elf random=100000 seed=1 vcpus=2", "hypercall.elf", NULL }, 0 },
                 { { "hostile.elf random=100000 seed=2 vcpus=2", "hypercall.elf", NULL }, 0 },
                 { { "hostile.elf random=100000 seed=3 vcpus=2", "hypercall.elf", NULL }, 0 },
                 { { "hostile.elf random=100000 seed=4 vcpus=2", "hypercall.elf", NULL }, 0 } } },
};
const size_t workload_count = sizeof workload_table / sizeof workload_table[0];

const struct workload *workload_find(const char *name)
{
    for (size_t i = 0; i < workload_count; i++)
        if (strcmp(workload_table[i].name, name) == 0)
            return &workload_table[i];
    return NULL;
}

char *module_file(const char *module)
{
    size_t n = strcspn(module, " ");
    char *f = xmalloc(n + 1);
    memcpy(f, module, n);
    f[n] = '\0';
    return f;
}

const char *module_args(const char *module)
{
    const char *sp = strchr(module, ' ');
    return sp ? sp + strspn(sp, " ") : "";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file hv-<variant>.elf in build, sorted; -1 if unreadable. */
int variants_scan(const char *build, struct strlist *out)
{
    DIR *d = opendir(build);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= 7 || strncmp(e->d_name, "hv-", 3) != 0 ||
            strcmp(e->d_name + n - 4, ".elf") != 0)
            continue;
        char *path = xasprintf("%s/%s", build, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            char *name = xstrdup(e->d_name + 3);
            name[n - 7] = '\0';
            strlist_push(out, name);
            free(name);
        }
        free(path);
    }
    closedir(d);
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return 0;
}

/* Module files of w that are not readable in <build>/workloads/. */
void workload_missing(const char *build, const struct workload *w,
                      struct strlist *missing)
{
    for (int b = 0; b < w->nboots; b++) {
        for (const char *const *m = w->boots[b].modules; *m; m++) {
            char *file = module_file(*m);
            char *path = xasprintf("%s/workloads/%s", build, file);
            if (access(path, R_OK) != 0 && !strlist_has(missing, path))
                strlist_push(missing, path);
            free(path);
            free(file);
        }
    }
}

/* Comma-separated names or "all" (= the list all) into out, each checked
 * against valid; an unknown name is a usage error naming the valid ones. */
/* A name of --KIND that is not there: one line (fmt: kind, name, the
 * valid names), exit 2. */
static void __attribute__((noreturn, format(printf, 1, 0)))
refuse_name(const char *fmt, const char *kind, const char *name, const struct strlist *valid)
{
    char *v = valid->n ? strlist_join(valid, ", ") : xstrdup("none found");
    usage_error(fmt, kind, name, v);
}

void select_names(const char *arg, const char *kind, const struct strlist *valid,
                  const struct strlist *all, struct strlist *out)
{
    char *copy = xstrdup(arg), *save = NULL;
    if (!*arg)
        usage_error("empty --%s list", kind);
    for (const char *p = arg; *p; p++)
        if (*p == ',' && (p == arg || p[1] == ',' || p[1] == '\0'))
            usage_error("empty name in --%s '%s'", kind, arg);
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "all") == 0) {
            if (all->n == 0)
                usage_error("--%s all: no %ss available", kind, kind);
            for (size_t i = 0; i < all->n; i++)
                if (!strlist_has(out, all->v[i]))
                    strlist_push(out, all->v[i]);
            continue;
        }
        if (strpbrk(tok, "*?[")) {        /* a pattern: fnmatch(3), e.g. *+stashed_l1 */
            size_t hits = 0;
            for (size_t i = 0; i < valid->n; i++)
                if (fnmatch(tok, valid->v[i], 0) == 0) {
                    hits++;
                    if (!strlist_has(out, valid->v[i]))
                        strlist_push(out, valid->v[i]);
                }
            if (!hits)
                refuse_name("no %s matches '%s' (valid: %s)", kind, tok, valid);
            continue;
        }
        if (!strlist_has(valid, tok))
            refuse_name("unknown %s '%s' (valid: %s)", kind, tok, valid);
        if (!strlist_has(out, tok))
            strlist_push(out, tok);
    }
    free(copy);
}
