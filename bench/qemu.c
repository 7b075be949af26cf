/* qemu.c — finding QEMU, building its deterministic/timing command line,
 * and running it (fork/exec, poll on stdout/stderr, timeout, kill). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asilab.h"

#define QEMU_NAME "qemu-system-x86_64"
#define MAX_LINE 65536          /* longer lines are cut (and fail to parse) */
#define TERM_GRACE 2.0          /* seconds between SIGTERM and SIGKILL */
#define DRAIN_AFTER_EXIT 1.0    /* read leftovers this long after exit */

static bool is_exec_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The QEMU to run: override (a path, or a name looked up in PATH) or
 * qemu-system-x86_64 from PATH.  NULL with *why set when there is none. */
char *qemu_find(const char *override, char **why)
{
    const char *name = override ? override : QEMU_NAME;
    *why = NULL;
    if (strchr(name, '/')) {
        if (is_exec_file(name))
            return xstrdup(name);
        *why = xasprintf("'%s' is not an executable file", name);
        return NULL;
    }
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
    if (!found && override)
        *why = xasprintf("'%s' is not in PATH", name);
    return found;
}

static void push(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 2) * sizeof **v);
    (*v)[(*n)++] = xstrdup(s);
    (*v)[*n] = NULL;
}

/* The exact QEMU argv of one boot (NULL-terminated, owned by caller). */
char **qemu_argv(const struct config *cfg, const char *hv, bool kvm,
                 const struct strlist *modules)
{
    char **v = NULL, *smp = xasprintf("%d", cfg->smp);
    /* -initrd separates modules with ','; ",," is a comma inside one */
    struct strlist esc = { 0 };
    for (size_t i = 0; i < modules->n; i++) {
        const char *m = modules->v[i];
        char *e = xmalloc(2 * strlen(m) + 1), *o = e;
        for (; *m; m++)
            if ((*o++ = *m) == ',')
                *o++ = ',';
        *o = '\0';
        strlist_push(&esc, e);
        free(e);
    }
    char *initrd = strlist_join(&esc, ",");
    strlist_free(&esc);
    size_t n = 0;
    const char *cpu = !kvm ? "max" : cfg->kvm_cpu ? cfg->kvm_cpu : "host";
    const char *fixed[] = { cfg->qemu, "-nodefaults", "-machine", "pc",
                            "-cpu", cpu, "-m", "256M", "-smp", smp };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        push(&v, &n, fixed[i]);
    if (kvm) {
        push(&v, &n, "-accel");
        push(&v, &n, "kvm");
    } else {
        const char *tcg[] = { "-accel", "tcg", "-icount", "shift=0,sleep=off" };
        for (size_t i = 0; i < 4; i++)
            push(&v, &n, tcg[i]);
    }
    const char *rest[] = { "-display", "none", "-no-reboot", "-serial", "stdio",
                           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                           "-kernel", hv, "-append",
                           kvm ? "mode=timing" : "mode=deterministic",
                           "-initrd", initrd };
    for (size_t i = 0; i < sizeof rest / sizeof *rest; i++)
        push(&v, &n, rest[i]);
    free(smp);
    free(initrd);
    return v;
}

char *argv_join(char *const argv[])
{
    struct strlist l = { 0 };
    for (size_t i = 0; argv[i]; i++) {
        char *q = shell_quote(argv[i]);
        strlist_push(&l, q);
        free(q);
    }
    char *s = strlist_join(&l, " ");
    strlist_free(&l);
    return s;
}

void argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

/* ---- line splitting of one pipe ---- */
struct stream {
    int fd;
    char *buf;
    size_t len;
    size_t lineno;
    bool cut;        /* dropping the rest of an over-long line */
};

static bool emit(struct stream *s, line_fn fn, void *ctx)
{
    s->buf[s->len] = '\0';
    if (s->len && s->buf[s->len - 1] == '\r')
        s->buf[s->len - 1] = '\0';
    s->len = 0;
    s->lineno++;
    return fn ? fn(ctx, s->buf, s->lineno) : true;
}

static bool feed(struct stream *s, const char *data, size_t n, line_fn fn,
                 void *ctx)
{
    bool go = true;
    for (size_t i = 0; i < n && go; i++) {
        if (data[i] == '\n') {
            if (!s->cut)
                go = emit(s, fn, ctx);
            s->cut = false;
        } else if (s->cut) {
            continue;
        } else if (s->len == MAX_LINE) {
            go = emit(s, fn, ctx);
            s->cut = true;
        } else {
            s->buf[s->len++] = data[i];
        }
    }
    return go;
}

/* Read what is there; false when fn asked to stop. Closes fd at EOF. */
static bool drain(struct stream *s, line_fn fn, void *ctx)
{
    char chunk[8192];
    for (;;) {
        ssize_t r = read(s->fd, chunk, sizeof chunk);
        if (r > 0) {
            if (!feed(s, chunk, (size_t)r, fn, ctx))
                return false;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return true;
        close(s->fd);            /* EOF or error */
        s->fd = -1;
        if (s->len && !s->cut)
            return emit(s, fn, ctx);
        return true;
    }
}

static pid_t spawn(char *const argv[], int out[2], int err[2])
{
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        note("pipe: %s", strerror(errno));
        exit(3);
    }
    pid_t pid = fork();
    if (pid < 0) {
        note("fork: %s", strerror(errno));
        exit(3);
    }
    if (pid == 0) {
        /* Own process group: a timeout kills QEMU and anything it forked,
         * and a ^C in the terminal reaches only the runner. */
        setpgid(0, 0);
        int nul = open("/dev/null", O_RDONLY);
        if (nul < 0 || dup2(nul, 0) < 0 || dup2(out[1], 1) < 0 ||
            dup2(err[1], 2) < 0)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        dprintf(2, "asilab: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    close(out[1]);
    close(err[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    return pid;
}

/* Run argv with stdin=/dev/null; stdout and stderr lines go to on_out and
 * on_err.  Killed (SIGTERM, then SIGKILL) at the timeout, on ^C, or when
 * on_out returns false. */
void proc_run(char *const argv[], double timeout, line_fn on_out,
              line_fn on_err, void *ctx, struct proc_result *res)
{
    int out[2], err[2];
    memset(res, 0, sizeof *res);
    double start = mono_now(), deadline = start + timeout, kill_at = 0, exit_at = 0;
    pid_t pid = spawn(argv, out, err);
    struct stream st[2] = { { .fd = out[0] }, { .fd = err[0] } };
    line_fn fns[2] = { on_out, on_err };
    st[0].buf = xmalloc(MAX_LINE + 1);
    st[1].buf = xmalloc(MAX_LINE + 1);
    bool exited = false, killing = false, stop = false;
    int status = 0;

    for (;;) {
        double now = mono_now();
        if (!exited && !killing && (now >= deadline || stop || asilab_interrupted)) {
            res->timed_out = now >= deadline && !stop && !asilab_interrupted;
            res->interrupted = asilab_interrupted;
            res->stopped = stop;
            killing = true;
            kill(-pid, SIGTERM);
            kill_at = now + TERM_GRACE;
        }
        if (killing && !exited && now >= kill_at)
            kill(-pid, SIGKILL);
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            exit_at = now;
        }
        if (exited && ((st[0].fd < 0 && st[1].fd < 0) || stop ||
                       now - exit_at > DRAIN_AFTER_EXIT))
            break;

        struct pollfd p[2];
        int np = 0, map[2];
        for (int i = 0; i < 2; i++) {
            if (st[i].fd >= 0 && !stop) {
                p[np] = (struct pollfd){ .fd = st[i].fd, .events = POLLIN };
                map[np++] = i;
            }
        }
        if (poll(p, (nfds_t)np, 50) < 0 && errno != EINTR)
            break;
        for (int j = 0; j < np; j++)
            if (p[j].revents && !drain(&st[map[j]], fns[map[j]], ctx))
                stop = true;
    }
    for (int i = 0; i < 2; i++) {
        if (st[i].fd >= 0) {     /* a leftover child still holds the pipe */
            kill(-pid, SIGKILL);
            close(st[i].fd);
        }
        free(st[i].buf);
    }
    res->elapsed = mono_now() - start;
    if (WIFEXITED(status)) {
        res->exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->signaled = true;
        res->term_signal = WTERMSIG(status);
    }
}

static bool first_line(void *ctx, char *line, size_t lineno)
{
    char **keep = ctx;
    if (lineno == 1)
        *keep = xstrdup(line);
    return true;
}

/* First line of `qemu --version`, or "unknown". */
char *qemu_version(const char *qemu)
{
    char *argv[] = { (char *)qemu, "--version", NULL }, *v = NULL;
    struct proc_result r;
    proc_run(argv, 10, first_line, NULL, &v, &r);
    return v ? v : xstrdup("unknown");
}
