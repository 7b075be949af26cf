/* qemu.c — finding QEMU, building its deterministic/timing command line,
 * and running it (fork/exec, poll on stdout/stderr, timeout, kill). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asilab.h"

#define QEMU_NAME "qemu-system-x86_64"
#define MAX_LINE 65536          /* longer lines are cut (and fail to parse) */
#define TERM_GRACE 2.0          /* seconds between SIGTERM and SIGKILL */
#define DRAIN_AFTER_EXIT 1.0    /* read leftovers this long after exit */

/* The QEMU to run: override (a path, or a name looked up in PATH) or
 * qemu-system-x86_64 from PATH.  NULL with *why set when there is none. */
char *qemu_find(const char *override, char **why)
{
    const char *name = override ? override : QEMU_NAME;
    char *found = find_program(name);
    *why = NULL;
    if (!found && strchr(name, '/'))
        *why = xasprintf("'%s' is not an executable file", name);
    else if (!found && override)
        *why = xasprintf("'%s' is not in PATH", name);
    return found;
}

static void push(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 2) * sizeof **v);
    (*v)[(*n)++] = xstrdup(s);
    (*v)[*n] = NULL;
}

/* The exact QEMU argv of one boot (NULL-terminated, owned by caller);
 * append NULL: the asilab hv's mode=, else that (Xen's command line). */
char **qemu_argv(const struct config *cfg, const char *hv, bool kvm,
                 const struct strlist *modules, const char *append)
{
    char **v = NULL, *smp = xasprintf("%d", cfg->smp);
    char *mem = xasprintf("%dM", ASILAB_QEMU_MIB);
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
                            "-cpu", cpu, "-m", mem, "-smp", smp };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        push(&v, &n, fixed[i]);
    if (kvm) {
        push(&v, &n, "-accel");
        push(&v, &n, "kvm");
    } else {
        const char *tcg[] = { "-accel", "tcg", "-icount", "shift=0,sleep=off" };
        for (size_t i = 0; i < (cfg->tcg_timing ? 2 : 4); i++)   /* timing: no icount */
            push(&v, &n, tcg[i]);
    }
    const char *rest[] = { "-display", "none", "-no-reboot", "-serial", "stdio",
                           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                           "-kernel", hv, "-append",
                           append ? append
                           : kvm || cfg->tcg_timing ? "mode=timing" : "mode=deterministic",
                           "-initrd", initrd };
    for (size_t i = 0; i < sizeof rest / sizeof *rest; i++)
        push(&v, &n, rest[i]);
    free(smp);
    free(mem);
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
    size_t n = s->len;
    if (n && s->buf[n - 1] == '\r')
        n--;
    s->buf[n] = '\0';
    s->len = 0;
    s->lineno++;
    return fn ? fn(ctx, s->buf, n, s->lineno) : true;
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
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        note("fork: %s", strerror(errno));
        exit(3);
    }
    if (pid == 0) {
        /* QEMU dies with the runner, even a kill -9 of it (and if the
         * runner is already gone, QEMU never starts). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127);
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

/* A process under way (proc_start .. proc_wait_any). */
struct proc {
    pid_t pid;
    struct stream st[2];
    line_fn fns[2];
    void *ctx;
    struct proc_result *res;
    double start, deadline, kill_at, exit_at;
    bool exited, killing, stop;
    int status;
};

/* Start argv with stdin=/dev/null; its stdout and stderr lines go to on_out
 * and on_err while proc_wait_any waits.  Killed (SIGTERM, then SIGKILL) at
 * the timeout, on ^C, or when on_out returns false. */
struct proc *proc_start(char *const argv[], double timeout, line_fn on_out,
                        line_fn on_err, void *ctx, struct proc_result *res)
{
    int out[2], err[2];
    struct proc *p = xmalloc(sizeof *p);
    memset(p, 0, sizeof *p);
    memset(res, 0, sizeof *res);
    p->res = res;
    p->ctx = ctx;
    p->start = mono_now();
    p->deadline = p->start + timeout;
    p->pid = spawn(argv, out, err);
    p->st[0] = (struct stream){ .fd = out[0] };
    p->st[1] = (struct stream){ .fd = err[0] };
    p->fns[0] = on_out;
    p->fns[1] = on_err;
    p->st[0].buf = xmalloc(MAX_LINE + 1);
    p->st[1].buf = xmalloc(MAX_LINE + 1);
    return p;
}

/* Kill and reap bookkeeping of one loop turn; true when p is done. */
static bool proc_check(struct proc *p, double now)
{
    if (!p->exited && !p->killing &&
        (now >= p->deadline || p->stop || asilab_interrupted)) {
        p->res->timed_out = now >= p->deadline && !p->stop && !asilab_interrupted;
        p->res->interrupted = asilab_interrupted;
        p->res->stopped = p->stop;
        p->killing = true;
        kill(-p->pid, SIGTERM);
        p->kill_at = now + TERM_GRACE;
    }
    if (p->killing && !p->exited && now >= p->kill_at)
        kill(-p->pid, SIGKILL);
    if (!p->exited && waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
        p->exited = true;
        p->exit_at = now;
    }
    return p->exited && ((p->st[0].fd < 0 && p->st[1].fd < 0) || p->stop ||
                         now - p->exit_at > DRAIN_AFTER_EXIT);
}

/* Fill in p's result and free p. */
static void proc_finish(struct proc *p)
{
    struct proc_result *res = p->res;
    for (int i = 0; i < 2; i++) {
        if (p->st[i].fd >= 0) {  /* a leftover child still holds the pipe */
            kill(-p->pid, SIGKILL);
            close(p->st[i].fd);
        }
        free(p->st[i].buf);
    }
    res->elapsed = mono_now() - p->start;
    if (WIFEXITED(p->status)) {
        res->exit_status = WEXITSTATUS(p->status);
    } else if (WIFSIGNALED(p->status)) {
        res->signaled = true;
        res->term_signal = WTERMSIG(p->status);
    }
    free(p);
}

/* Serve the processes of ps (NULL entries: free places) until one is done:
 * that one is finished (its result filled in, freed, its entry set to NULL)
 * and its index returned; -1 when ps holds none. */
int proc_wait_any(struct proc **ps, size_t n)
{
    struct pollfd *pfd = xmalloc((2 * n + 1) * sizeof *pfd);
    struct stream **map = xmalloc((2 * n + 1) * sizeof *map);
    struct proc **owner = xmalloc((2 * n + 1) * sizeof *owner);
    int done = -1;
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = any || ps[i];
    while (any && done < 0) {
        double now = mono_now();
        for (size_t i = 0; i < n && done < 0; i++)
            if (ps[i] && proc_check(ps[i], now))
                done = (int)i;
        if (done >= 0)
            break;
        nfds_t np = 0;
        for (size_t i = 0; i < n; i++) {
            for (int k = 0; ps[i] && k < 2; k++) {
                if (ps[i]->st[k].fd >= 0 && !ps[i]->stop) {
                    pfd[np] = (struct pollfd){ .fd = ps[i]->st[k].fd, .events = POLLIN };
                    map[np] = &ps[i]->st[k];
                    owner[np++] = ps[i];
                }
            }
        }
        if (poll(pfd, np, 50) < 0 && errno != EINTR) {
            for (size_t i = 0; i < n && done < 0; i++)
                if (ps[i])
                    done = (int)i;
            break;
        }
        for (nfds_t j = 0; j < np; j++) {
            struct proc *p = owner[j];
            int k = map[j] == &p->st[0] ? 0 : 1;
            if (pfd[j].revents && !drain(map[j], p->fns[k], p->ctx))
                p->stop = true;
        }
    }
    free(pfd);
    free(map);
    free(owner);
    if (done >= 0) {
        proc_finish(ps[done]);
        ps[done] = NULL;
    }
    return done;
}

/* proc_start and wait for it. */
void proc_run(char *const argv[], double timeout, line_fn on_out,
              line_fn on_err, void *ctx, struct proc_result *res)
{
    struct proc *p = proc_start(argv, timeout, on_out, on_err, ctx, res);
    proc_wait_any(&p, 1);
}

static bool first_line(void *ctx, char *line, size_t len, size_t lineno)
{
    char **keep = ctx;
    (void)len;
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
