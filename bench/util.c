/* util.c — small helpers of the asilab runner: allocation, messages,
 * mkdir -p, PATH look-up, clocks, shell quoting, UTF-8 checks and
 * escaping of untrusted bytes, string lists and rings of recent lines. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "asilab.h"

volatile sig_atomic_t asilab_interrupted;

static void oom(void)
{
    fputs("asilab: out of memory\n", stderr);
    exit(3);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        oom();
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        oom();
    va_end(ap);
    return s;
}

void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("asilab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

void note(const char *fmt, ...)
{
    va_list ap;
    fputs("asilab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = 0, cap = 4096, r;
    char *s = xmalloc(cap);
    while ((r = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2)
            s = xrealloc(s, cap *= 2);
    }
    s[n] = '\0';
    fclose(f);
    if (len)
        *len = n;
    return s;
}

bool dir_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT || errno == ENOTDIR;   /* unreadable: not empty */
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

int mkdir_p(const char *path)
{
    if (!*path) {
        errno = ENOENT;
        return -1;
    }
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; ; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = -1;
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (rc == 0 && stat(path, &st) != 0) {
        rc = -1;
    } else if (rc == 0 && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        rc = -1;
    }
    free(p);
    return rc;
}

static bool is_exec_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* name itself if it holds a '/' and is executable, else the first
 * executable PATH/name; NULL if none (never through a shell). */
char *find_program(const char *name)
{
    if (strchr(name, '/'))
        return is_exec_file(name) ? xstrdup(name) : NULL;
    const char *path = getenv("PATH");
    char *copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *found = NULL;
    for (char *dir = copy, *next; dir && !found; dir = next) {
        next = strchr(dir, ':');
        if (next)
            *next++ = '\0';
        char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
        if (is_exec_file(cand))
            found = cand;
        else
            free(cand);
    }
    free(copy);
    return found;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* rm -r path (symlinks removed, never followed); 0 if gone or absent. */
int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Quote s for a POSIX shell only when needed, so command lines paste. */
char *shell_quote(const char *s)
{
    if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-_./=:,+@%") == strlen(s))
        return xstrdup(s);
    size_t n = 3;
    for (const char *c = s; *c; c++)
        n += *c == '\'' ? 4 : 1;
    char *q = xmalloc(n), *o = q;
    *o++ = '\'';
    for (const char *c = s; *c; c++) {
        if (*c == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *c;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

/* Length of the well-formed UTF-8 sequence at s[0..n) (1..4), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF (what
 * jansson accepts). */
size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Offset of the first byte of s[0..n) that is a NUL or not part of
 * well-formed UTF-8; n if there is none. */
size_t utf8_bad_at(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = u[i] ? utf8_seq(u + i, n - i) : 0;
        if (!k)
            return i;
        i += k;
    }
    return n;
}

/* s[0..n) as text that is safe to print and valid UTF-8: a NUL, a
 * control character (but tab), DEL or a byte that is not well-formed
 * UTF-8 becomes "\xNN"; with backslash, a backslash is doubled too (so
 * the original bytes can be told apart). */
char *text_escape(const char *s, size_t n, bool backslash)
{
    const unsigned char *u = (const unsigned char *)s;
    char *out = xmalloc(4 * n + 1), *o = out;
    for (size_t i = 0; i < n;) {
        size_t k = u[i] >= 0x80 ? utf8_seq(u + i, n - i) : 1;
        if (k > 1) {
            memcpy(o, u + i, k);
            o += k;
            i += k;
            continue;
        }
        if (k == 0 || (u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f)
            o += sprintf(o, "\\x%02x", u[i]);
        else if (u[i] == '\\' && backslash)
            o += sprintf(o, "\\\\");
        else
            *o++ = (char)u[i];
        i++;
    }
    *o = '\0';
    return out;
}

/* Integers print as integers, everything else with two decimals. */
const char *fmt_num(double v, char *buf, size_t n)
{
    if (v == (double)(long long)v && v > -1e15 && v < 1e15)
        snprintf(buf, n, "%lld", (long long)v);
    else
        snprintf(buf, n, "%.2f", v);
    return buf;
}

void strlist_push(struct strlist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = xstrdup(s);
}

bool strlist_has(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

char *strlist_join(const struct strlist *l, const char *sep)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + strlen(sep);
    char *s = xmalloc(len);
    s[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            strcat(s, sep);
        strcat(s, l->v[i]);
    }
    return s;
}

void strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

void ring_init(struct ring *r, size_t cap)
{
    r->v = xmalloc(cap * sizeof *r->v);
    r->cap = cap;
    r->n = r->head = 0;
}

void ring_push(struct ring *r, const char *line)
{
    size_t slot = (r->head + r->n) % r->cap;
    if (r->n == r->cap) {
        free(r->v[r->head]);
        slot = r->head;
        r->head = (r->head + 1) % r->cap;
    } else {
        r->n++;
    }
    r->v[slot] = xstrdup(line);
}

const char *ring_get(const struct ring *r, size_t i)
{
    return i < r->n ? r->v[(r->head + i) % r->cap] : NULL;
}

void ring_free(struct ring *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[(r->head + i) % r->cap]);
    free(r->v);
    r->v = NULL;
    r->n = r->cap = r->head = 0;
}
