/* Freestanding string and memory routines (hv and guests). */
#include "lib.h"

void *memcpy(void *d, const void *s, size_t n)
{
    void *ret = d;
    size_t q = n / 8, b = n % 8;
    __asm__ volatile("rep movsq; mov %3, %%rcx; rep movsb"
                     : "+D"(d), "+S"(s), "+c"(q) : "r"(b) : "memory");
    return ret;
}

void *memset(void *d, int c, size_t n)
{
    void *ret = d;
    size_t q = n / 8, b = n % 8;
    uint64_t v = 0x0101010101010101UL * (unsigned char)c;
    __asm__ volatile("rep stosq; mov %3, %%rcx; rep stosb"
                     : "+D"(d), "+c"(q), "+a"(v) : "r"(b) : "memory");
    return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp < sp || dp >= sp + n)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (; *s; s++)
        if (*s == (char)c)
            return (char *)s;
    return c ? NULL : (char *)s;
}

char *strstr(const char *h, const char *n)
{
    size_t len = strlen(n);
    for (; *h; h++)
        if (!strncmp(h, n, len))
            return (char *)h;
    return len ? NULL : (char *)h;
}

size_t strlcpy(char *d, const char *s, size_t n)
{
    size_t len = strlen(s);
    if (n) {
        size_t c = len >= n ? n - 1 : len;
        memcpy(d, s, c);
        d[c] = 0;
    }
    return len;
}

unsigned long simple_strtoul(const char *s, const char **end, int base)
{
    unsigned long v = 0;
    if (base == 0) {
        base = 10;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
            base = 16, s += 2;
    }
    for (;; s++) {
        int d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else break;
        if (d >= base)
            break;
        v = v * base + d;
    }
    if (end)
        *end = s;
    return v;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t n)
{
    size_t klen = strlen(key);
    const char *p = cmdline;
    while (p && *p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - w) > klen && !strncmp(w, key, klen) && w[klen] == '=') {
            size_t len = p - w - klen - 1;
            if (n) {
                len = MIN(len, n - 1);
                memcpy(val, w + klen + 1, len);
                val[len] = 0;
            }
            return true;
        }
    }
    return false;
}
