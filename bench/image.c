/* image.c — asilab image: a bootable image of a matrix of boots, for a
 * machine the runner cannot start itself (bare metal, a board farm).
 *
 * OUT/asilab.iso is a GRUB rescue image (grub-mkrescue) that boots from
 * BIOS and from UEFI, CD or USB stick; OUT/tftp/ holds the same boots for
 * PXE (grub-mknetdir: boot/grub/i386-pc/core.0 is the DHCP boot file for
 * BIOS clients, boot/grub/x86_64-efi/core.efi for UEFI ones);
 * OUT/manifest.json says what each entry is (ingest reads it back).  GRUB
 * talks on COM1 at 115200 8n1; every entry boots one variant's hv (the
 * counting or the lean image) with one catalog boot's modules, through
 * multiboot2 (on UEFI the only protocol that tells the hv where ACPI is;
 * hv/arch/x86/multiboot.c), in the hv's mode=timing (or deterministic,
 * for QEMU), and first echoes "@asilab-boot K/N", which is how ingest
 * cuts the log into boots.
 *
 * The chain: the default entry runs all N boots one after another with
 * no one at the keyboard.  Its state lives in three CMOS bytes from
 * --cmos (default 0x7c): a signature (0xa5) and the next entry's number
 * (16 bits, high byte last), read and written through the RTC's index
 * and data ports with GRUB's iorw (inb/outb: there on BIOS and UEFI; not
 * under UEFI Secure Boot's lockdown, which refuses multiboot anyway).
 * While the signature is there GRUB boots entry "b<high>_<low>" (hex) at
 * once, each entry stores its successor's number before it boots, and
 * the hv runs with on_exit=reboot, so its end resets the machine
 * (hv_exit) into the firmware and GRUB again.  Entry N+1 clears the
 * signature, echoes "@asilab-campaign end N" and halts (ACPI or UEFI
 * power-off: QEMU exits).  An entry picked by hand from the menu runs
 * alone and halts (on_exit=halt). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "asilab.h"

#define IMAGE_MAX_ENTRIES 65534     /* 16 bits of CMOS, N+1 the last state */
#define CHAIN_SIGNATURE 0xa5

static bool copy_file(const char *from, const char *to)
{
    size_t n;
    char *data = read_file(from, &n);
    FILE *f = data ? fopen(to, "wb") : NULL;
    bool ok = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = false;
    if (f)
        chmod(to, 0644);
    free(data);
    return ok;
}

/* GRUB's words for the command line: catalog module strings only hold
 * these, but an image is for other machines: check, never quote. */
static bool grub_word_ok(const char *s)
{
    return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789_.=,+-/ ") == strlen(s);
}

/* GRUB's menu entry id of boot k (1..N+1): the next-entry bytes as
 * iorw's `inb -v` writes them back ("%x": lower case, no zeros). */
static void entry_id(unsigned int k, char out[16])
{
    snprintf(out, 16, "b%x_%x", (k >> 8) & 0xff, k & 0xff);
}

static void store(FILE *f, int cmos, unsigned int v, const char *indent)
{
    fprintf(f, "%sasilab_cmos_set 0x%02x 0x%02x\n", indent, cmos + 2, (v >> 8) & 0xff);
    fprintf(f, "%sasilab_cmos_set 0x%02x 0x%02x\n", indent, cmos + 1, v & 0xff);
}

static void write_grub_cfg(FILE *f, const struct image_entry *e, size_t n, bool timing,
                           int cmos, int menu_timeout)
{
    char id[16];
    fprintf(f, "# asilab image: %zu boots (asilab image; bench/image.c says how the\n"
               "# chain works).  Chain state: CMOS 0x%02x (signature 0x%02x), 0x%02x-0x%02x\n"
               "# (the next entry's number).\n", n, cmos, CHAIN_SIGNATURE, cmos + 1, cmos + 2);
    fputs("serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
          "terminal_input serial console\n"
          "# A UEFI firmware's own console may be COM1 too (OVMF's is, so is a\n"
          "# server's console redirection): there GRUB writes to COM1 alone, or\n"
          "# every line of its would come twice.\n"
          "if [ \"$grub_platform\" = efi ]; then\n"
          "  terminal_output serial\n"
          "else\n"
          "  terminal_output serial console\n"
          "fi\n"
          "insmod iorw\n"
          "function asilab_cmos_set {\n"
          "  outb 0x70 $1\n"
          "  outb 0x71 $2\n"
          "}\n"
          "function asilab_cmos_get {\n"
          "  outb 0x70 $1\n"
          "  inb -v $2 0x71\n"
          "}\n", f);
    fprintf(f, "asilab_cmos_get 0x%02x asilab_sig\n"
               "if [ \"$asilab_sig\" = %x ]; then\n"
               "  asilab_cmos_get 0x%02x asilab_hi\n"
               "  asilab_cmos_get 0x%02x asilab_lo\n"
               "  set default=\"b${asilab_hi}_${asilab_lo}\"\n"
               "  set timeout=0\n"
               "  set asilab_chain=1\n"
               "  set asilab_on_exit=reboot\n"
               "else\n"
               "  set default=all\n"
               "  set timeout=%d\n"
               "  set asilab_chain=0\n"
               "  set asilab_on_exit=halt\n"
               "fi\n"
               "export asilab_chain\n"
               "export asilab_on_exit\n", cmos, CHAIN_SIGNATURE, cmos + 2, cmos + 1,
            menu_timeout);
    fprintf(f, "menuentry \"asilab: all %zu boots, one after another (resets between "
               "them)\" --id all {\n", n);
    store(f, cmos, 1, "  ");
    fprintf(f, "  asilab_cmos_set 0x%02x 0x%02x\n", cmos, CHAIN_SIGNATURE);
    fprintf(f, "  echo \"@asilab-campaign start %zu\"\n  reboot\n}\n", n);
    for (size_t k = 1; k <= n; k++) {
        const struct image_entry *x = &e[k - 1];
        const char *const *mods = x->wl->boots[x->b].modules;
        const char *args = module_args(mods[0]);
        entry_id((unsigned int)k, id);
        fprintf(f, "menuentry \"%zu/%zu: %s%s %s%s%s%s\" --id %s {\n", k, n, x->variant,
                x->lean ? " [lean]" : "", x->wl->name, *args ? " (" : "", args,
                *args ? ")" : "", id);
        fputs("  if [ \"$asilab_chain\" = 1 ]; then\n", f);
        store(f, cmos, (unsigned int)k + 1, "    ");
        fputs("  fi\n", f);
        fprintf(f, "  echo \"@asilab-boot %zu/%zu\"\n", k, n);
        fprintf(f, "  multiboot2 /asilab/hv/%shv-%s.elf mode=%s on_exit=$asilab_on_exit\n",
                x->lean ? "lean/" : "", x->variant, timing ? "timing" : "deterministic");
        for (const char *const *m = mods; *m; m++) {
            char *file = module_file(*m);
            const char *a = module_args(*m);
            fprintf(f, "  module2 /asilab/workloads/%s %s%s%s\n", file, file, *a ? " " : "", a);
            free(file);
        }
        fputs("}\n", f);
    }
    entry_id((unsigned int)n + 1, id);
    fprintf(f, "menuentry \"asilab: the chain is done: halt\" --id %s {\n"
               "  asilab_cmos_set 0x%02x 0x00\n", id, cmos);
    fprintf(f, "  echo \"@asilab-campaign end %zu\"\n  halt\n}\n", n);
}

json_t *image_manifest(const struct image_args *a, const struct image_entry *e, size_t n,
                       char **bids)
{
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    json_t *boots = json_array();
    for (size_t k = 0; k < n; k++) {
        json_t *mods = json_array();
        for (const char *const *m = e[k].wl->boots[e[k].b].modules; *m; m++)
            json_array_append_new(mods, json_string(*m));
        json_array_append_new(boots, json_pack("{s:I, s:s, s:s, s:s, s:i, s:o, s:s}",
            "entry", (json_int_t)k + 1, "variant", e[k].variant,
            "image", e[k].lean ? "lean" : "counting", "workload", e[k].wl->name,
            "boot", e[k].b, "modules", mods, "build_id", bids[k]));
    }
    json_t *m = json_pack("{s:i, s:s, s:s, s:s, s:I, s:o}", "asilab_image", 1,
                          "git_rev", ASILAB_GIT_REV, "date", date,
                          "mode", a->timing ? "timing" : "deterministic",
                          "entries", (json_int_t)n, "boots", boots);
    if (a->cmos) {
        char cmos[8];
        snprintf(cmos, sizeof cmos, "0x%02x", a->cmos);
        json_object_set_new(m, "cmos", json_string(cmos));
    }
    return m;
}

static bool keep(void *ring, char *line, size_t len, size_t lineno)
{
    (void)lineno;
    char *t = text_escape(line, len, false);
    ring_push(ring, t);
    free(t);
    return true;
}

/* Run a GRUB tool; false (its last lines on stderr) if it failed. */
static bool run_tool(char **argv)
{
    struct ring lines;
    struct proc_result r;
    ring_init(&lines, 10);
    proc_run(argv, 300, keep, keep, &lines, &r);
    bool ok = !r.timed_out && !r.signaled && r.exit_status == 0;
    if (!ok) {
        note("%s failed (%s %d):", argv[0], r.timed_out ? "timed out" : r.signaled
             ? "signal" : "exit status", r.signaled ? r.term_signal : r.exit_status);
        for (size_t i = 0; i < lines.n; i++)
            fprintf(stderr, "    | %s\n", ring_get(&lines, i));
    }
    ring_free(&lines);
    return ok;
}

bool image_copy_files(const char *root, const char *build, const struct image_entry *e,
                      size_t n, bool grub)
{
    char *d[] = { xasprintf("%s/asilab/hv/lean", root),
                  xasprintf("%s/asilab/workloads", root), xasprintf("%s/boot/grub", root) };
    bool ok = true;
    for (int i = 0; i < 3; i++) {
        if (i == 2 && !grub) {
            free(d[i]);
            break;
        }
        if (mkdir_p(d[i]) != 0) {
            note("cannot create '%s': %s", d[i], strerror(errno));
            ok = false;
        }
        free(d[i]);
    }
    for (size_t k = 0; k < n && ok; k++) {
        char *from = hv_image_path(&(struct config){ .build = build }, e[k].variant,
                                   e[k].lean);
        char *to = xasprintf("%s/asilab/hv/%shv-%s.elf", root, e[k].lean ? "lean/" : "",
                             e[k].variant);
        if (!copy_file(from, to)) {
            note("cannot copy '%s' to '%s': %s", from, to, strerror(errno));
            ok = false;
        }
        free(from);
        free(to);
        for (const char *const *m = e[k].wl->boots[e[k].b].modules; *m && ok; m++) {
            char *file = module_file(*m);
            char *src = xasprintf("%s/workloads/%s", build, file);
            char *dst = xasprintf("%s/asilab/workloads/%s", root, file);
            if (!copy_file(src, dst)) {
                note("cannot copy '%s' to '%s': %s", src, dst, strerror(errno));
                ok = false;
            }
            free(file);
            free(src);
            free(dst);
        }
    }
    return ok;
}

static bool write_text(const char *path, const struct image_entry *e, size_t n,
                       const struct image_args *a, json_t *manifest)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        note("cannot write '%s': %s", path, strerror(errno));
        return false;
    }
    if (manifest)
        json_dumpf(manifest, f, JSON_INDENT(1));
    else
        write_grub_cfg(f, e, n, a->timing, a->cmos, a->menu_timeout);
    return !ferror(f) && fclose(f) == 0;
}

struct image_entry *image_entries(const struct image_args *a, size_t *count)
{
    size_t n = 0, cap = 16;
    struct image_entry *e = xmalloc(cap * sizeof *e);
    for (size_t v = 0; v < a->variants->n; v++)
        for (size_t w = 0; w < a->workloads->n; w++) {
            const struct workload *wl = workload_find(a->workloads->v[w]);
            for (int b = 0; b < wl->nboots; b++)
                for (int pass = 0; pass < (a->paired ? 2 : 1); pass++) {
                    for (const char *const *m = wl->boots[b].modules; *m; m++)
                        if (!grub_word_ok(*m))
                            usage_error("workload '%s': module '%s' has characters a "
                                        "GRUB command line would change", wl->name, *m);
                    if (n == cap)
                        e = xrealloc(e, (cap *= 2) * sizeof *e);
                    e[n++] = (struct image_entry){ a->variants->v[v],
                                             a->paired ? pass == 0 : a->lean, wl, b };
                }
        }
    *count = n;
    return e;
}

int cmd_image(const struct image_args *a)
{
    char *mkrescue = find_program("grub-mkrescue"), *mknetdir = find_program("grub-mknetdir");
    char *xorriso = find_program("xorriso");
    bool have = xorriso != NULL;
    free(xorriso);
    if (!mkrescue || !mknetdir || !have ||
        access("/usr/lib/grub/i386-pc/iorw.mod", R_OK) != 0 ||
        access("/usr/lib/grub/x86_64-efi/iorw.mod", R_OK) != 0)
        usage_error("image needs grub-mkrescue, grub-mknetdir, xorriso and GRUB's i386-pc "
                    "and x86_64-efi modules: apt-get install grub-pc-bin grub-efi-amd64-bin "
                    "grub-common xorriso mtools (cmake/install-deps.sh installs them)");
    if (a->cmos < 0x0e || a->cmos > 0x7d)
        usage_error("bad --cmos 0x%x: expected 0x0e..0x7d (three bytes of CMOS RAM after "
                    "the RTC's registers, below 0x80)", a->cmos);
    size_t n;
    struct image_entry *e = image_entries(a, &n);
    if (n > IMAGE_MAX_ENTRIES)
        usage_error("%zu boots: an image holds at most %d", n, IMAGE_MAX_ENTRIES);
    if (!dir_empty(a->out))
        usage_error("output directory '%s' exists and is not empty: choose a new --out",
                    a->out);
    if (mkdir_p(a->out) != 0)
        usage_error("cannot create output directory '%s': %s", a->out, strerror(errno));

    char **bids = xmalloc(n * sizeof *bids);
    for (size_t k = 0; k < n; k++) {
        char *hv = hv_image_path(&(struct config){ .build = a->build }, e[k].variant,
                                 e[k].lean);
        bids[k] = build_id(hv);
        free(hv);
    }
    json_t *manifest = image_manifest(a, e, n, bids);
    char *stage = xasprintf("%s/.iso", a->out), *tftp = xasprintf("%s/tftp", a->out);
    char *cfg_iso = xasprintf("%s/boot/grub/grub.cfg", stage);
    char *cfg_net = xasprintf("%s/boot/grub/grub.cfg", tftp);
    char *iso = xasprintf("%s/asilab.iso", a->out), *mpath = xasprintf("%s/manifest.json", a->out);
    char *net_arg = xasprintf("--net-directory=%s", tftp);
    char *mk[] = { mkrescue, "-o", iso, stage, NULL };
    char *net[] = { mknetdir, net_arg, "--subdir=boot/grub", NULL };
    bool ok = write_text(mpath, e, n, a, manifest) && image_copy_files(stage, a->build, e, n, true) &&
              write_text(cfg_iso, e, n, a, NULL) && run_tool(mk) &&
              image_copy_files(tftp, a->build, e, n, true) && run_tool(net) && write_text(cfg_net, e, n, a, NULL);
    remove_tree(stage);
    if (ok) {
        struct stat st;
        stat(iso, &st);
        printf("image: %s (%.1f MiB, BIOS and UEFI: CD or USB stick), %s (PXE: DHCP boot "
               "file boot/grub/i386-pc/core.0 for BIOS, boot/grub/x86_64-efi/core.efi for "
               "UEFI), %s\n", iso, (double)st.st_size / (1 << 20), tftp, mpath);
        printf("%zu boots in mode=%s; the default entry runs them all, resetting between "
               "boots (chain state in CMOS 0x%02x-0x%02x), then halts; each boot's records "
               "go to COM1 (115200 8n1)\n", n, a->timing ? "timing" : "deterministic",
               a->cmos, a->cmos + 2);
        printf("read the captured serial log back with: asilab ingest --manifest %s "
               "--out DIR LOG\n", mpath);
    }
    for (size_t k = 0; k < n; k++)
        free(bids[k]);
    free(bids);
    json_decref(manifest);
    free(e);
    free(stage);
    free(tftp);
    free(cfg_iso);
    free(cfg_net);
    free(iso);
    free(mpath);
    free(net_arg);
    free(mkrescue);
    free(mknetdir);
    return ok ? 0 : 1;
}
