/* util.c — small helpers of the asilab runner: allocation, messages,
 * mkdir -p, clocks, shell quoting, string lists and rings of recent lines. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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
