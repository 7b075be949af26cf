/* gnuplot.c — running gnuplot for asilab plot and asilab history: the
 * variables a script is given (always as quoted strings or integers,
 * never text gnuplot interprets) and PNG + SVG output of one script,
 * gnuplot run without a shell. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asilab.h"

/* name='value'; appended to *vars, value as a gnuplot single-quoted
 * string: nothing in it is interpreted (no backquotes, no macros), a '
 * is doubled; control characters become '?'. */
void var_str(char **vars, const char *name, const char *value)
{
    size_t n = strlen(*vars) + strlen(name) + 2 * strlen(value) + 8;
    char *s = xmalloc(n), *o = s + sprintf(s, "%s%s='", *vars, name);
    for (const char *c = value; *c; c++) {
        if (*c == '\'')
            *o++ = '\'';
        *o++ = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
    }
    strcpy(o, "'; ");
    free(*vars);
    *vars = s;
}

void var_int(char **vars, const char *name, long value)
{
    char *s = xasprintf("%s%s=%ld; ", *vars, name, value);
    free(*vars);
    *vars = s;
}

static char *gnuplot_exe;       /* found in PATH by gnuplot_find */

/* gnuplot -e CMDS SCRIPT, no shell: its stderr appended to log. */
static int run_gnuplot(const char *cmds, const char *script, const char *log)
{
    pid_t pid = fork();
    int st;
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execl(gnuplot_exe, gnuplot_exe, "-e", cmds, script, (char *)NULL);
        dprintf(2, "asilab: exec %s: %s\n", gnuplot_exe, strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* out.png and out.svg from scripts/script with vars (var_str, var_int);
 * out.log keeps gnuplot's complaints, if any. */
int gnuplot_draw(const char *scripts, const char *script, const char *out,
                   const char *vars)
{
    int rc = 0;
    static const char *const terms[2][2] = {
        { "pngcairo size 1200,700 noenhanced", "png" },
        { "svg size 1200,700 noenhanced", "svg" },
    };
    char *log = xasprintf("%s.log", out), *path = xasprintf("%s/%s", scripts, script);
    for (int t = 0; t < 2; t++) {
        char *file = xasprintf("%s.%s", out, terms[t][1]);
        char *cmds = xstrdup(vars);
        var_str(&cmds, "asilab_out", file);
        char *all = xasprintf("%sset terminal %s; set output asilab_out", cmds,
                              terms[t][0]);
        if (run_gnuplot(all, path, log) != 0) {
            fprintf(stderr, "asilab: gnuplot failed for %s (see %s)\n", file, log);
            rc = -1;
        }
        free(all);
        free(cmds);
        free(file);
    }
    struct stat st;                 /* keep the log only if it says something */
    if (rc == 0 && stat(log, &st) == 0 && st.st_size == 0)
        unlink(log);
    free(log);
    free(path);
    return rc;
}

bool gnuplot_find(void)
{
    if (gnuplot_exe)
        return true;
    if (!(gnuplot_exe = find_program("gnuplot")))
        fprintf(stderr, "asilab: gnuplot not found: install it with 'apt-get install gnuplot-nox'\n");
    return gnuplot_exe != NULL;
}
