/* Freestanding string and formatting helpers (hv and guests share them). */
#ifndef ASILAB_LIB_H
#define ASILAB_LIB_H
#include "types.h"

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *h, const char *n);
size_t strlcpy(char *d, const char *s, size_t n);
unsigned long simple_strtoul(const char *s, const char **end, int base);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* hv/lib/stats.c: sort samples; value/ops with three decimals. */
void sort_u64(uint64_t *a, unsigned int n);
int fmt_ratio(char *buf, size_t n, uint64_t value, uint64_t ops);
/* Find "key=value" in a space-separated command line; copies value. */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t n);

#endif
