/* Host unit tests of hv/lib/string.c, the string routines shared by the
 * hv and the PV guests, chiefly cmdline_get().
 *
 * string.c defines memcpy, strlen, ... under their standard names, which
 * would replace the host libc's; so this file includes it with every such
 * name renamed to hv_<name> (cmdline_get keeps its name and reaches the
 * renamed helpers), then drops the renames so the test itself uses libc.
 *
 * Proves: cmdline_get finds key=value anywhere in the line (first, middle,
 * last word, runs of spaces), matches whole keys only ("xmode=" and
 * "modes=" are not "mode", a bare "mode" is not "mode="), returns the
 * first of repeated keys, gives an empty value for "key=", keeps any '='
 * inside the value, truncates to the buffer with a terminating NUL and
 * never writes past n (nor at all when n == 0), and reports absence with
 * false on empty/blank lines; plus spot checks of strlcpy, strncmp,
 * memmove and simple_strtoul. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define memcpy hv_memcpy
#define memset hv_memset
#define memmove hv_memmove
#define memcmp hv_memcmp
#define strlen hv_strlen
#define strnlen hv_strnlen
#define strcmp hv_strcmp
#define strncmp hv_strncmp
#define strchr hv_strchr
#define strstr hv_strstr
#define strlcpy hv_strlcpy
#define simple_strtoul hv_simple_strtoul
#include "../../hv/lib/string.c"
#undef memcpy
#undef memset
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strstr
#undef strlcpy
#undef simple_strtoul

#include "unit.h"

/* cmdline_get into a guarded buffer; returns the value or NULL. */
static char out[64];
static const char *get(const char *line, const char *key, size_t n)
{
    memset(out, '#', sizeof(out));
    if (n > sizeof(out) - 8)
        n = sizeof(out) - 8;
    bool found = cmdline_get(line, key, out, n);
    for (size_t i = n; i < sizeof(out); i++)
        if (out[i] != '#') {
            fprintf(stderr, "cmdline_get(\"%s\", \"%s\", n=%zu) wrote out[%zu]\n",
                    line, key, n, i);
            unit_cur_failed++;
            break;
        }
    return found ? out : NULL;
}

#define GOT(line, key, n, want) do {                                   \
        const char *got_ = get(line, key, n);                          \
        CHECK(got_ != NULL);                                           \
        if (got_)                                                      \
            CHECK(strcmp(got_, want) == 0);                            \
    } while (0)
#define MISSING(line, key) CHECK(get(line, key, 32) == NULL)

static void test_cmdline_finds_words(void)
{
    GOT("mode=fast", "mode", 32, "fast");                  /* only word */
    GOT("mode=fast vcpus=2 mem=64", "mode", 32, "fast");   /* first */
    GOT("mode=fast vcpus=2 mem=64", "vcpus", 32, "2");     /* middle */
    GOT("mode=fast vcpus=2 mem=64", "mem", 32, "64");      /* last */
    GOT("  a=1    b=22   ", "b", 32, "22");                /* extra spaces */
    GOT("  a=1    b=22   ", "a", 32, "1");
    GOT("k=", "k", 32, "");                                /* empty value */
    GOT("x=1 k= y=2", "k", 32, "");
    GOT("opt=a=b", "opt", 32, "a=b");                      /* '=' in value */
    GOT("d=1 d=2", "d", 32, "1");                          /* first wins */
}

static void test_cmdline_whole_keys_only(void)
{
    MISSING("xmode=slow", "mode");
    GOT("xmode=slow mode=fast", "mode", 32, "fast");
    MISSING("modes=3", "mode");
    GOT("modes=3 mode=4", "mode", 32, "4");
    MISSING("mode", "mode");                               /* no '=' */
    MISSING("mode fast", "mode");
    GOT("mode mode=on", "mode", 32, "on");
    MISSING("x=mode=1", "mode");                           /* inside a value */
    MISSING("mod=1", "mode");                              /* shorter word */
    MISSING("", "mode");
    MISSING("     ", "mode");
    MISSING("a=1 b=2", "c");
}

static void test_cmdline_truncates(void)
{
    GOT("key=abcdefgh", "key", 9, "abcdefgh");             /* fits exactly */
    GOT("key=abcdefgh", "key", 8, "abcdefg");              /* n-1 chars + NUL */
    GOT("key=abcdefgh tail=1", "key", 4, "abc");
    GOT("key=abcdefgh", "key", 1, "");
    /* n == 0: found, but val untouched. */
    memset(out, '#', sizeof(out));
    CHECK(cmdline_get("key=abc", "key", out, 0));
    CHECK(out[0] == '#');
    CHECK(!cmdline_get("key=abc", "nope", out, 0));
    /* The line itself is left alone. */
    char line[] = "a=1 b=2";
    GOT(line, "b", 32, "2");
    CHECK(strcmp(line, "a=1 b=2") == 0);
}

static void test_string_helpers(void)
{
    char buf[8];
    CHECK_EQ(hv_strlcpy(buf, "hello world", sizeof(buf)), 11);
    CHECK(strcmp(buf, "hello w") == 0);
    CHECK_EQ(hv_strlcpy(buf, "hi", sizeof(buf)), 2);
    CHECK(strcmp(buf, "hi") == 0);
    CHECK_EQ(hv_strlen(""), 0);
    CHECK_EQ(hv_strnlen("abcdef", 3), 3);
    CHECK(hv_strncmp("mode=1", "mode", 4) == 0);
    CHECK(hv_strncmp("mod", "mode", 4) < 0);
    CHECK(hv_strcmp("b", "a") > 0);
    CHECK(hv_strcmp("\xff", "a") > 0);                     /* unsigned compare */
    char mv[] = "abcdef";
    hv_memmove(mv + 2, mv, 4);                              /* overlap, upward */
    CHECK(strcmp(mv, "ababcd") == 0);
    hv_memmove(mv, mv + 2, 4);                              /* downward */
    CHECK(strcmp(mv, "abcdcd") == 0);
    const char *end;
    CHECK_EQ(hv_simple_strtoul("0x1fz", &end, 0), 0x1f);
    CHECK(*end == 'z');
    CHECK_EQ(hv_simple_strtoul("4096 ", &end, 0), 4096);
    CHECK(*end == ' ');
    CHECK_EQ(hv_simple_strtoul("129", NULL, 8), 012);      /* stops at '9' */
    CHECK(hv_strstr("a=1 b=2", "b=") != NULL);
    CHECK(hv_strchr("abc", 0) != NULL);
}

int main(void)
{
    RUN(test_cmdline_finds_words);
    RUN(test_cmdline_whole_keys_only);
    RUN(test_cmdline_truncates);
    RUN(test_string_helpers);
    return unit_summary();
}
