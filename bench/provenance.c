/* provenance.c — where a number came from: host CPU/kernel, QEMU, the hv
 * image's build id; and the records.jsonl lines that carry it. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "asilab.h"

#ifndef ASILAB_GIT_REV
#define ASILAB_GIT_REV "unknown"
#endif

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* The first processor's block of /proc/cpuinfo. */
static void read_cpuinfo(struct host_info *h)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[1024];
    h->family = h->model = h->stepping = -1;
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (line[0] == '\n' && h->cpu_model)
            break;
        if (!colon)
            continue;
        *colon = '\0';
        char *key = trim(line), *val = trim(colon + 1);
        if (strcmp(key, "model name") == 0 && !h->cpu_model)
            h->cpu_model = xstrdup(val);
        else if (strcmp(key, "cpu family") == 0)
            h->family = atoi(val);
        else if (strcmp(key, "model") == 0)
            h->model = atoi(val);
        else if (strcmp(key, "stepping") == 0)
            h->stepping = atoi(val);
        else if (strcmp(key, "microcode") == 0 && !h->microcode)
            h->microcode = xstrdup(val);
    }
    fclose(f);
}

/* qemu NULL: no qemu_version. */
void host_info_collect(struct host_info *h, const char *qemu)
{
    struct utsname u;
    char host[256] = "unknown", date[32];
    time_t now = time(NULL);
    memset(h, 0, sizeof *h);
    read_cpuinfo(h);
    if (uname(&u) == 0)
        h->kernel = xasprintf("%s %s", u.release, u.version);
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "unknown");
    h->hostname = xstrdup(host);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    h->date = xstrdup(date);
    h->qemu_version = qemu ? qemu_version(qemu) : NULL;
    h->kvm_module = kvm_modules();
    h->cpu_virt = xstrdup(cpu_virt_flag());
}

void host_info_free(struct host_info *h)
{
    free(h->cpu_model);
    free(h->microcode);
    free(h->kernel);
    free(h->hostname);
    free(h->qemu_version);
    free(h->date);
    free(h->kvm_module);
    free(h->cpu_virt);
}

static char *hex(const unsigned char *p, size_t n)
{
    char *s = xmalloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    return s;
}

static unsigned long long get(const unsigned char *p, size_t n)
{
    unsigned long long v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/* NT_GNU_BUILD_ID in the notes at [off, off+size) of img, or NULL. */
static char *scan_notes(const unsigned char *img, size_t len, size_t off,
                        size_t size, size_t align)
{
    if (off > len || size > len - off)
        return NULL;
    size_t p = off, end = off + size;
    while (end - p >= 12) {
        size_t namesz = get(img + p, 4), descsz = get(img + p + 4, 4);
        unsigned type = (unsigned)get(img + p + 8, 4);
        size_t name = p + 12;
        size_t desc = name + ((namesz + align - 1) & ~(align - 1));
        if (namesz > size || descsz > size || desc > end || descsz > end - desc)
            return NULL;
        if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(img + name, "GNU", 4) == 0)
            return hex(img + desc, descsz);
        p = desc + ((descsz + align - 1) & ~(align - 1));
    }
    return NULL;
}

/* Build id from PT_NOTE segments, then SHT_NOTE sections (ELF32 or ELF64,
 * little-endian: the hv may be objcopied to elf32-i386 for multiboot). */
static char *elf_build_id(const unsigned char *img, size_t len)
{
    if (len < 52 || memcmp(img, ELFMAG, SELFMAG) != 0 || img[EI_DATA] != ELFDATA2LSB)
        return NULL;
    bool is64 = img[EI_CLASS] == ELFCLASS64;
    if (is64 && len < 64)
        return NULL;
    size_t phoff = is64 ? get(img + 32, 8) : get(img + 28, 4);
    size_t shoff = is64 ? get(img + 40, 8) : get(img + 32, 4);
    size_t phent = get(img + (is64 ? 54 : 42), 2), phnum = get(img + (is64 ? 56 : 44), 2);
    size_t shent = get(img + (is64 ? 58 : 46), 2), shnum = get(img + (is64 ? 60 : 48), 2);
    char *id = NULL;
    for (size_t i = 0; i < phnum && !id && phoff < len; i++) {
        size_t at = phoff + i * phent;
        if (phent < (is64 ? 56u : 32u) || at > len - phent)
            break;
        const unsigned char *ph = img + at;
        if (get(ph, 4) != PT_NOTE)
            continue;
        size_t off = is64 ? get(ph + 8, 8) : get(ph + 4, 4);
        size_t size = is64 ? get(ph + 32, 8) : get(ph + 16, 4);
        size_t align = (is64 ? get(ph + 48, 8) : get(ph + 28, 4)) == 8 ? 8 : 4;
        id = scan_notes(img, len, off, size, align);
    }
    for (size_t i = 0; i < shnum && !id && shoff < len; i++) {
        size_t at = shoff + i * shent;
        if (shent < (is64 ? 64u : 40u) || at > len - shent)
            break;
        const unsigned char *sh = img + at;
        if (get(sh + 4, 4) != SHT_NOTE)
            continue;
        size_t off = is64 ? get(sh + 24, 8) : get(sh + 16, 4);
        size_t size = is64 ? get(sh + 32, 8) : get(sh + 20, 4);
        size_t align = (is64 ? get(sh + 48, 8) : get(sh + 32, 4)) == 8 ? 8 : 4;
        id = scan_notes(img, len, off, size, align);
    }
    return id;
}

/* GNU build id of the image as hex, else "sha256:<hex of the file>". */
char *build_id(const char *path)
{
    size_t len;
    unsigned char *img = (unsigned char *)read_file(path, &len);
    if (!img)
        return xstrdup("unreadable");
    char *id = elf_build_id(img, len);
    if (!id) {
        unsigned char d[32];
        sha256(img, len, d);
        char *h = hex(d, sizeof d);
        id = xasprintf("sha256:%s", h);
        free(h);
    }
    free(img);
    return id;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *int_or_null(int v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

/* pcid: the platform record's (NULL: none arrived). */
/* What a Xen boot's own console said about that Xen: its version and
 * changeset lines, the command line it took and its XPTI setting. */
void provenance_xen(json_t *p, const struct xen_console *x)
{
    json_object_set_new(p, "xen_version", str_or_null(x->version));
    json_object_set_new(p, "xen_changeset", str_or_null(x->changeset));
    json_object_set_new(p, "xen_cmdline_seen", str_or_null(x->cmdline));
    json_object_set_new(p, "xen_xpti", str_or_null(x->xpti));
}

json_t *provenance_make(const struct host_info *h, const struct boot_spec *s,
                        const char *bid, const char *boot_status, const char *pcid)
{
    json_t *p = json_object(), *mods = json_array();
    for (size_t i = 0; i < s->modules.n; i++)
        json_array_append_new(mods, json_string(s->modules.v[i]));
    json_object_set_new(p, "host_cpu", str_or_null(h->cpu_model));
    json_object_set_new(p, "cpu_family", int_or_null(h->family));
    json_object_set_new(p, "cpu_model", int_or_null(h->model));
    json_object_set_new(p, "cpu_stepping", int_or_null(h->stepping));
    json_object_set_new(p, "microcode", str_or_null(h->microcode));
    json_object_set_new(p, "host_kernel", str_or_null(h->kernel));
    json_object_set_new(p, "kvm_module", str_or_null(h->kvm_module));
    json_object_set_new(p, "cpu_virt", str_or_null(h->cpu_virt));
    json_object_set_new(p, "hostname", str_or_null(h->hostname));
    json_object_set_new(p, "qemu_version", str_or_null(h->qemu_version));
    json_object_set_new(p, "qemu_cmdline", json_string(s->cmdline));
    json_object_set_new(p, "accel", json_string(s->kvm ? "kvm" : "tcg"));
    json_object_set_new(p, "mode", json_string(s->timing ? "timing" : "deterministic"));
    json_object_set_new(p, "variant", json_string(s->variant));
    json_object_set_new(p, "workload", json_string(s->wl->name));
    json_object_set_new(p, "build_id", json_string(bid));
    json_object_set_new(p, "image", json_string(s->xen ? "xen" : s->lean ? "lean" : "counting"));
    json_object_set_new(p, "git_rev", json_string(ASILAB_GIT_REV));
    json_object_set_new(p, "date", str_or_null(h->date));
    json_object_set_new(p, "boot", mods);
    if (s->rep)
        json_object_set_new(p, "rep", json_integer(s->rep));
    json_object_set_new(p, "hv", json_string(s->xen ? "xen" : "asilab"));
    if (s->xen) {
        json_object_set_new(p, "xen_image", json_string(s->xen->image));
        json_object_set_new(p, "xen_options", json_string(s->xen->opts));
        json_object_set_new(p, "xen_cmdline", json_string(s->xen_cmdline));
    }
    json_object_set_new(p, "pcid", str_or_null(pcid));
    json_object_set_new(p, "boot_status", json_string(boot_status));
    return p;
}

/* One line per record: the hv's JSON text verbatim with the runner's
 * members spliced in before its closing brace; a line that is not a JSON
 * object becomes {"type":"unparsed","line":N,"raw":TEXT} (raw_escaped:
 * TEXT is text_escape of bytes that were not UTF-8).  Every string here
 * is valid UTF-8 (boot.c escapes what is not), so json_string cannot
 * fail; if it did, the member would be missing, never the line. */
static void write_one(FILE *f, const struct rec *r, json_t *prov)
{
    json_t *pv = json_deep_copy(prov);
    if (r->error)
        json_object_set_new(pv, "record_error", json_string(r->error));
    char *ptext = json_dumps(pv, JSON_COMPACT);
    if (!ptext)
        ptext = xstrdup("{}");
    if (!json_is_object(r->obj)) {
        json_t *o = json_pack("{s:s, s:I}", "type", "unparsed", "line",
                              (json_int_t)r->lineno);
        json_object_set_new(o, "raw", json_string(r->raw));
        if (r->raw_escaped)
            json_object_set_new(o, "raw_escaped", json_true());
        char *otext = json_dumps(o, JSON_COMPACT);
        fprintf(f, "%.*s,\"provenance\":%s}\n", (int)strlen(otext) - 1, otext, ptext);
        free(otext);
        json_decref(o);
    } else {
        size_t n = strlen(r->raw);
        while (n && r->raw[n - 1] != '}')
            n--;
        if (n)
            n--;                     /* drop the closing brace */
        char *why = NULL;
        if (r->timing_invalid) {
            json_t *w = json_string(r->invalid_reason ? r->invalid_reason : "unknown");
            char *wt = json_dumps(w, JSON_ENCODE_ANY);
            why = xasprintf("\"valid\":false,\"invalid_reason\":%s,", wt ? wt : "null");
            free(wt);
            json_decref(w);
        }
        fprintf(f, "%.*s%s%s\"provenance\":%s}\n", (int)n, r->raw,
                json_object_size(r->obj) ? "," : "", why ? why : "", ptext);
        free(why);
    }
    free(ptext);
    json_decref(pv);
}

void records_write(FILE *f, const struct boot_out *b, json_t *prov)
{
    for (size_t i = 0; i < b->nrecs; i++)
        write_one(f, &b->recs[i], prov);
    fflush(f);
}
