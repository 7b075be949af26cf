/* history.c — `asilab history`: result sets kept in one SQLite database
 * and an op's cost followed across commits, builds and hosts.
 *
 * `history add DIR...` stores every result record of DIR/records.jsonl
 * that results.json would take (record_accept, usable values) with the
 * keys that say what was measured where: git revision, the variant
 * image's build id, host name and CPU, microcode, mode, workload/op,
 * variant, image (lean, counting, xen) and which occurrence of the op it
 * is in its boot matrix (results.json's #N).  A set is identified by the
 * SHA-256 of its records.jsonl: adding it again changes nothing.
 *
 * `history [--op [WORKLOAD/]OP] ...` reads them back: one series per
 * (op, variant, image, host, mode), its runs in date order, each run's
 * cost the median of its records' medians (one per --reps rep), and a
 * change flagged where it is beyond the run-to-run spread: deterministic
 * mode, any change from the previous run (icount makes a run exactly
 * repeatable); timing mode, a median outside the p10..p90 of all the
 * previous runs' samples pooled.  --changes lists only the flagged runs;
 * --plot OUT draws the series (OUT.png, OUT.svg, data in OUT.dat).
 *
 * The schema carries its version (PRAGMA user_version) and asilab's
 * application id; a database from a newer schema, or not asilab's, is
 * refused before anything is read or written. */
#include <errno.h>
#include <fnmatch.h>
#include <libgen.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asilab.h"

#define HISTORY_SCHEMA 1
#define HISTORY_APP_ID 0x41534c48      /* "ASLH" */

static const char schema_sql[] =
    "CREATE TABLE result_set ("
    "  id INTEGER PRIMARY KEY,"
    "  digest TEXT NOT NULL UNIQUE,"        /* sha256 of records.jsonl */
    "  path TEXT NOT NULL,"                 /* where it was added from */
    "  added TEXT NOT NULL,"
    "  date TEXT NOT NULL,"                 /* its first record's run date */
    "  git_rev TEXT, mode TEXT, hostname TEXT, host_cpu TEXT,"
    "  source TEXT NOT NULL,"               /* run (QEMU here) or log (ingest) */
    "  results INTEGER NOT NULL);"
    "CREATE TABLE result ("
    "  set_id INTEGER NOT NULL REFERENCES result_set(id),"
    "  workload TEXT NOT NULL, op TEXT NOT NULL, nth INTEGER NOT NULL,"
    "  variant TEXT NOT NULL, image TEXT NOT NULL, mode TEXT NOT NULL,"
    "  unit TEXT NOT NULL, rep INTEGER NOT NULL,"
    "  git_rev TEXT, build_id TEXT, date TEXT,"
    "  hostname TEXT, host_cpu TEXT, microcode TEXT, accel TEXT,"
    "  median REAL NOT NULL, p10 REAL, p90 REAL, samples INTEGER,"
    "  vals TEXT NOT NULL);"                /* the samples, a JSON array */
    "CREATE INDEX result_op ON result (workload, op);";

struct db {
    sqlite3 *h;
    const char *path;
};

static bool db_fail(struct db *d, const char *what)
{
    fprintf(stderr, "asilab: history %s: %s: %s\n", d->path, what, sqlite3_errmsg(d->h));
    return false;
}

static bool db_exec(struct db *d, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(d->h, sql, NULL, NULL, &err) == SQLITE_OK)
        return true;
    fprintf(stderr, "asilab: history %s: %s\n", d->path, err ? err : "error");
    sqlite3_free(err);
    return false;
}

static long db_pragma(struct db *d, const char *name, bool *ok)
{
    char *sql = xasprintf("PRAGMA %s", name);
    sqlite3_stmt *st;
    long v = 0;
    *ok = sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) == SQLITE_OK;
    if (*ok && sqlite3_step(st) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(st, 0);
    else
        *ok = false;
    if (!*ok)
        db_fail(d, "not a database asilab can read");
    sqlite3_finalize(st);
    free(sql);
    return v;
}

/* 0: open (created if write), 1: cannot read it, 2: a newer schema or
 * not an asilab history (bad input: nothing touched). */
static int db_open(struct db *d, const char *path, bool write)
{
    d->path = path;
    if (!write && access(path, R_OK) != 0) {
        fprintf(stderr, "asilab: history %s: %s (add result sets with "
                "'asilab history add DIR')\n", path, strerror(errno));
        return 1;
    }
    int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK) {
        db_fail(d, "cannot open");
        sqlite3_close(d->h);
        return 1;
    }
    sqlite3_busy_timeout(d->h, 10000);
    bool ok;
    long app = db_pragma(d, "application_id", &ok);
    long ver = ok ? db_pragma(d, "user_version", &ok) : 0;
    long tables = 0;
    if (ok) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(d->h, "SELECT count(*) FROM sqlite_master", -1, &st,
                               NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            tables = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    int rc = 0;
    if (!ok)
        rc = 2;
    else if (app == 0 && ver == 0 && tables == 0) {
        if (write) {
            char *sql = xasprintf("BEGIN; %s PRAGMA application_id = %d; "
                                  "PRAGMA user_version = %d; COMMIT;",
                                  schema_sql, HISTORY_APP_ID, HISTORY_SCHEMA);
            rc = db_exec(d, sql) ? 0 : 1;
            free(sql);
        }
    } else if (app != HISTORY_APP_ID) {
        fprintf(stderr, "asilab: history %s: not an asilab history database "
                "(application id 0x%lx)\n", path, app);
        rc = 2;
    } else if (ver > HISTORY_SCHEMA) {
        fprintf(stderr, "asilab: history %s: schema version %ld, newer than this "
                "asilab's %d: use the asilab that wrote it (nothing was changed)\n",
                path, ver, HISTORY_SCHEMA);
        rc = 2;
    } else if (ver < 1) {
        fprintf(stderr, "asilab: history %s: no schema version\n", path);
        rc = 2;
    }
    if (rc)
        sqlite3_close(d->h);
    return rc;
}

static const char *str_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static char *now_utc(void)
{
    char buf[32];
    time_t t = time(NULL);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    return xstrdup(buf);
}

/* One result set into d; 0 added or already there, 1 unreadable/failed. */
static int add_set(struct db *d, const char *dir)
{
    char *path = xasprintf("%s/records.jsonl", dir);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "asilab: history add: cannot read %s: %s\n", path, strerror(errno));
        free(path);
        return 1;
    }
    unsigned char md[32];
    char digest[65];
    sha256((const unsigned char *)text, len, md);
    for (int i = 0; i < 32; i++)
        sprintf(digest + 2 * i, "%02x", md[i]);

    sqlite3_stmt *st = NULL, *ins = NULL;
    int rc = 1;
    long long set_id = -1;
    if (sqlite3_prepare_v2(d->h, "SELECT id FROM result_set WHERE digest = ?", -1, &st,
                           NULL) != SQLITE_OK) {
        db_fail(d, "query");
        goto out;
    }
    bind_str(st, 1, digest);
    if (sqlite3_step(st) == SQLITE_ROW) {
        printf("history: %s is already set %lld (same records.jsonl)\n", dir,
               (long long)sqlite3_column_int64(st, 0));
        rc = 0;
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!db_exec(d, "BEGIN"))
        goto out;
    char *added = now_utc(), *abs = realpath(dir, NULL);
    if (sqlite3_prepare_v2(d->h, "INSERT INTO result_set (digest, path, added, date, "
                           "source, results) VALUES (?, ?, ?, '', 'run', 0)", -1, &st,
                           NULL) != SQLITE_OK) {
        free(added);
        free(abs);
        db_fail(d, "insert");
        goto rollback;
    }
    bind_str(st, 1, digest);
    bind_str(st, 2, abs ? abs : dir);
    bind_str(st, 3, added);
    free(added);
    free(abs);
    if (sqlite3_step(st) != SQLITE_DONE) {
        db_fail(d, "insert");
        goto rollback;
    }
    set_id = sqlite3_last_insert_rowid(d->h);
    if (sqlite3_prepare_v2(d->h, "INSERT INTO result (set_id, workload, op, nth, variant, "
                           "image, mode, unit, rep, git_rev, build_id, date, hostname, "
                           "host_cpu, microcode, accel, median, p10, p90, samples, vals) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &ins,
                           NULL) != SQLITE_OK) {
        db_fail(d, "insert");
        goto rollback;
    }
    struct strlist seen = { 0 };          /* "rep:workload/op/variant/image#k" */
    size_t nres = 0, nskip = 0, lineno = 0;
    char *first_date = NULL, *first_rev = NULL, *first_mode = NULL, *first_host = NULL,
         *first_cpu = NULL;
    bool from_log = false, failed = false;
    for (char *line = text, *next; *line && !failed; line = next) {
        next = line + strcspn(line, "\n");
        if (*next)
            *next++ = 0;
        lineno++;
        json_t *rec = json_loads(line, 0, NULL);
        const char *type = str_of(rec, "type");
        if (!type || strcmp(type, "result")) {
            json_decref(rec);
            continue;
        }
        int why;
        json_t *values = json_object_get(rec, "values"), *prov = json_object_get(rec, "provenance");
        if (!result_usable(rec, &why)) {
            nskip++;
            json_decref(rec);
            continue;
        }
        const char *w = str_of(rec, "workload"), *op = str_of(rec, "op"),
                   *var = str_of(rec, "variant"), *image = str_of(rec, "image");
        const char *mode = str_of(rec, "mode") ? str_of(rec, "mode") : str_of(prov, "mode");
        if (!image)
            image = "counting";
        if (!mode)
            mode = "deterministic";
        long long rep = json_integer_value(json_object_get(prov, "rep"));
        int k = 1;
        char *key;
        for (;; k++) {
            key = xasprintf("%lld:%s/%s/%s/%s#%d", rep, w, op, var, image, k);
            if (!strlist_has(&seen, key))
                break;
            free(key);
        }
        strlist_push(&seen, key);
        free(key);
        char *vals = json_dumps(values, JSON_COMPACT);
        json_t *src = json_object_get(prov, "source");
        from_log |= json_is_object(src);
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, set_id);
        bind_str(ins, 2, w);
        bind_str(ins, 3, op);
        sqlite3_bind_int(ins, 4, k);
        bind_str(ins, 5, var);
        bind_str(ins, 6, image);
        bind_str(ins, 7, mode);
        bind_str(ins, 8, str_of(rec, "unit"));
        sqlite3_bind_int64(ins, 9, rep);
        bind_str(ins, 10, str_of(prov, "git_rev"));
        bind_str(ins, 11, str_of(prov, "build_id"));
        bind_str(ins, 12, str_of(prov, "date"));
        bind_str(ins, 13, str_of(prov, "hostname"));
        bind_str(ins, 14, str_of(prov, "host_cpu"));
        bind_str(ins, 15, str_of(prov, "microcode"));
        bind_str(ins, 16, str_of(prov, "accel"));
        sqlite3_bind_double(ins, 17, json_number_value(json_object_get(rec, "median")));
        sqlite3_bind_double(ins, 18, json_number_value(json_object_get(rec, "p10")));
        sqlite3_bind_double(ins, 19, json_number_value(json_object_get(rec, "p90")));
        sqlite3_bind_int64(ins, 20, (long long)json_array_size(values));
        bind_str(ins, 21, vals);
        free(vals);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            fprintf(stderr, "asilab: history add: %s line %zu: %s\n", path, lineno,
                    sqlite3_errmsg(d->h));
            failed = true;
        }
        if (!first_date) {
            first_date = xstrdup(str_of(prov, "date") ? str_of(prov, "date") : "");
            first_rev = str_of(prov, "git_rev") ? xstrdup(str_of(prov, "git_rev")) : NULL;
            first_mode = xstrdup(mode);
            first_host = str_of(prov, "hostname") ? xstrdup(str_of(prov, "hostname")) : NULL;
            first_cpu = str_of(prov, "host_cpu") ? xstrdup(str_of(prov, "host_cpu")) : NULL;
        }
        nres++;
        json_decref(rec);
    }
    strlist_free(&seen);
    sqlite3_finalize(st);
    st = NULL;
    if (!failed && nres == 0) {
        fprintf(stderr, "asilab: history add: %s has no result records to keep "
                "(%zu skipped: failed boots, invalid or timing-invalid records)\n",
                path, nskip);
        failed = true;
    }
    if (!failed && sqlite3_prepare_v2(d->h, "UPDATE result_set SET date = ?, git_rev = ?, "
                                      "mode = ?, hostname = ?, host_cpu = ?, source = ?, "
                                      "results = ? WHERE id = ?", -1, &st,
                                      NULL) == SQLITE_OK) {
        bind_str(st, 1, first_date);
        bind_str(st, 2, first_rev);
        bind_str(st, 3, first_mode);
        bind_str(st, 4, first_host);
        bind_str(st, 5, first_cpu);
        bind_str(st, 6, from_log ? "log" : "run");
        sqlite3_bind_int64(st, 7, (long long)nres);
        sqlite3_bind_int64(st, 8, set_id);
        failed = sqlite3_step(st) != SQLITE_DONE && !db_fail(d, "update");
    } else if (!failed)
        failed = !db_fail(d, "update");
    free(first_date); free(first_rev); free(first_mode); free(first_host); free(first_cpu);
    if (failed)
        goto rollback;
    if (!db_exec(d, "COMMIT"))
        goto rollback;
    printf("history: %s added as set %lld: %zu results", dir, set_id, nres);
    if (nskip)
        printf(" (%zu result records not kept: failed boots or invalid)", nskip);
    printf("\n");
    rc = 0;
    goto out;
rollback:
    sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
out:
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    free(text);
    free(path);
    return rc;
}

/* ---- reading ---- */

struct row {                  /* one run of one series */
    char *key;                /* the series: op, variant, image, host, mode */
    char *op, *variant, *image, *mode, *unit, *host;
    long long set_id;
    char *date, *git_rev, *build_id, *microcode;
    double median;            /* of its records' medians */
    double p10, p90;          /* the widest of its records' */
    double *vals;             /* its records' samples, pooled */
    size_t nvals;
    int nrecs;
    long ordinal;             /* the set's place in date order, 1.. */
    char *change;             /* why it is flagged, or NULL */
};

static char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return xstrdup(t ? (const char *)t : "");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-quantile of sorted v[0..n), nearest rank. */
static double quantile(const double *v, size_t n, double p)
{
    size_t i = (size_t)floor(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* --op [WORKLOAD/]OP[#N]: *w (or NULL), *op, *nth (0: any); false if bad */
static bool parse_op(const char *arg, char **w, char **op, int *nth)
{
    const char *slash = strchr(arg, '/'), *o = slash ? slash + 1 : arg;
    const char *hash = strchr(o, '#');
    *w = slash ? xasprintf("%.*s", (int)(slash - arg), arg) : NULL;
    *op = hash ? xasprintf("%.*s", (int)(hash - o), o) : xstrdup(o);
    *nth = 0;
    if (hash) {
        char *e;
        long k = strtol(hash + 1, &e, 10);
        if (e == hash + 1 || *e || k < 2 || k > 999)
            return false;
        *nth = (int)k;
    }
    return (!*w || name_ok(*w)) && name_ok(*op);
}

static bool variant_selected(const char *var, const char *pats)
{
    if (!pats)
        return true;
    char *copy = xstrdup(pats), *save = NULL;
    bool hit = false;
    for (char *p = strtok_r(copy, ",", &save); p && !hit; p = strtok_r(NULL, ",", &save))
        hit = strcmp(p, "all") == 0 || fnmatch(p, var, 0) == 0;
    free(copy);
    return hit;
}

static void row_free(struct row *r)
{
    free(r->key); free(r->op); free(r->variant); free(r->image); free(r->mode);
    free(r->unit); free(r->host); free(r->date); free(r->git_rev); free(r->build_id);
    free(r->microcode); free(r->vals); free(r->change);
}

/* The runs selected by a, grouped into series (rows of a series
 * adjacent, in date order), with their changes flagged. */
static struct row *load_rows(struct db *d, const struct history_args *a, size_t *nrows,
                             size_t *nsets)
{
    char *wl = NULL, *op = NULL;
    int want_nth = 0;
    if (a->op)
        parse_op(a->op, &wl, &op, &want_nth);     /* checked by cmd_history */
    char *sql = xasprintf(
        "SELECT r.workload, r.op, r.nth, r.variant, r.image, r.mode, r.unit, "
        "coalesce(r.hostname, '?'), coalesce(r.host_cpu, '?'), s.id, s.date, "
        "coalesce(r.git_rev, '?'), coalesce(r.build_id, '?'), coalesce(r.microcode, '?'), "
        "r.median, r.vals, r.p10, r.p90 FROM result r JOIN result_set s ON s.id = r.set_id "
        "WHERE (?1 IS NULL OR r.workload = ?1) AND (?2 IS NULL OR r.op = ?2) "
        "AND (?3 IS NULL OR r.hostname = ?3) AND (?4 IS NULL OR r.mode = ?4) "
        "AND (?5 = 0 OR r.nth = ?5) "
        "ORDER BY r.workload, r.op, r.nth, r.variant, r.image, r.mode, r.hostname, "
        "r.host_cpu, s.date, s.id, r.rep");
    sqlite3_stmt *st;
    struct row *rows = NULL;
    size_t n = 0, cap = 0;
    *nsets = 0;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(d, "query");
        free(sql);
        free(wl);
        free(op);
        *nrows = (size_t)-1;
        return NULL;
    }
    bind_str(st, 1, wl);
    bind_str(st, 2, op);
    bind_str(st, 3, a->host);
    bind_str(st, 4, a->mode);
    sqlite3_bind_int(st, 5, want_nth);
    double *meds = NULL;
    size_t nmeds = 0, mcap = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *var = (const char *)sqlite3_column_text(st, 3);
        if (!variant_selected(var ? var : "", a->variant))
            continue;
        char *w = col(st, 0), *o = col(st, 1), *im = col(st, 4), *m = col(st, 5),
             *hn = col(st, 7), *cpu = col(st, 8);
        int nth = sqlite3_column_int(st, 2);
        char *opname = nth > 1 ? xasprintf("%s/%s#%d", w, o, nth) : xasprintf("%s/%s", w, o);
        char *host = xasprintf("%s (%s)", hn, cpu);
        char *key = xasprintf("%s\t%s\t%s\t%s\t%s", opname, var, im, host, m);
        long long set_id = sqlite3_column_int64(st, 9);
        struct row *r = n ? &rows[n - 1] : NULL;
        if (!r || strcmp(r->key, key) || r->set_id != set_id) {
            if (r) {                       /* close the previous run */
                qsort(meds, nmeds, sizeof *meds, cmp_double);
                r->median = nmeds % 2 ? meds[nmeds / 2]
                                      : (meds[nmeds / 2 - 1] + meds[nmeds / 2]) / 2;
            }
            if (n == cap)
                rows = xrealloc(rows, (cap = cap ? 2 * cap : 256) * sizeof *rows);
            r = &rows[n++];
            *r = (struct row){ .key = key, .op = opname, .variant = xstrdup(var),
                               .image = im, .mode = m, .unit = col(st, 6), .host = host,
                               .set_id = set_id, .date = col(st, 10),
                               .git_rev = col(st, 11), .build_id = col(st, 12),
                               .microcode = col(st, 13) };
            nmeds = 0;
        } else {
            free(key); free(opname); free(host); free(im); free(m);
        }
        free(w); free(o); free(hn); free(cpu);
        if (nmeds == mcap)
            meds = xrealloc(meds, (mcap = mcap ? 2 * mcap : 16) * sizeof *meds);
        meds[nmeds++] = sqlite3_column_double(st, 14);
        double p10 = sqlite3_column_double(st, 16), p90 = sqlite3_column_double(st, 17);
        r->p10 = r->nrecs && r->p10 < p10 ? r->p10 : p10;
        r->p90 = r->nrecs && r->p90 > p90 ? r->p90 : p90;
        r->nrecs++;
        if (strcmp(r->mode, "timing") == 0) {     /* samples: only timing needs them */
            json_t *vals = json_loads((const char *)sqlite3_column_text(st, 15), 0, NULL), *v;
            size_t i;
            r->vals = xrealloc(r->vals, (r->nvals + json_array_size(vals) + 1) *
                                            sizeof *r->vals);
            json_array_foreach(vals, i, v)
                r->vals[r->nvals++] = json_number_value(v);
            json_decref(vals);
        }
    }
    if (n) {
        struct row *r = &rows[n - 1];
        qsort(meds, nmeds, sizeof *meds, cmp_double);
        r->median = nmeds % 2 ? meds[nmeds / 2] : (meds[nmeds / 2 - 1] + meds[nmeds / 2]) / 2;
    }
    free(meds);
    if (step != SQLITE_DONE)
        db_fail(d, "query");
    sqlite3_finalize(st);
    free(sql);
    free(wl);
    free(op);

    /* ordinals: the sets of the selection in date order */
    sqlite3_stmt *ss;
    struct { long long id; } *ord = NULL;
    size_t nord = 0, ocap = 0;
    if (sqlite3_prepare_v2(d->h, "SELECT id FROM result_set ORDER BY date, id", -1, &ss,
                           NULL) == SQLITE_OK)
        while (sqlite3_step(ss) == SQLITE_ROW) {
            long long id = sqlite3_column_int64(ss, 0);
            bool used = false;
            for (size_t i = 0; i < n && !used; i++)
                used = rows[i].set_id == id;
            if (!used)
                continue;
            if (nord == ocap)
                ord = xrealloc(ord, (ocap = ocap ? 2 * ocap : 16) * sizeof *ord);
            ord[nord++].id = id;
        }
    sqlite3_finalize(ss);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < nord; k++)
            if (ord[k].id == rows[i].set_id)
                rows[i].ordinal = (long)k + 1;
    free(ord);
    *nsets = nord;

    /* changes: against the previous run (deterministic) or the pooled
     * samples of all previous runs (timing) of the same series */
    double *pool = NULL;
    size_t npool = 0, pcap = 0, nprev = 0;
    for (size_t i = 0; i < n; i++) {
        struct row *r = &rows[i];
        if (i == 0 || strcmp(rows[i - 1].key, r->key)) {
            npool = nprev = 0;
        } else if (strcmp(r->mode, "timing")) {
            double prev = rows[i - 1].median;
            if (r->median != prev)
                r->change = xasprintf("changed from %.3f: %+.3f (%+.2f%%)", prev,
                                      r->median - prev,
                                      prev ? 100 * (r->median - prev) / prev : 0.0);
        } else if (npool) {
            qsort(pool, npool, sizeof *pool, cmp_double);
            double lo = quantile(pool, npool, 0.1), hi = quantile(pool, npool, 0.9);
            if (r->median < lo || r->median > hi)
                r->change = xasprintf("outside p10..p90 %.3f..%.3f of the %zu previous "
                                      "run%s", lo, hi, nprev, nprev > 1 ? "s" : "");
        }
        if (npool + r->nvals > pcap)
            pool = xrealloc(pool, (pcap = 2 * (npool + r->nvals) + 16) * sizeof *pool);
        memcpy(pool + npool, r->vals, r->nvals * sizeof *pool);
        npool += r->nvals;
        nprev++;
    }
    free(pool);
    *nrows = n;
    return rows;
}

/* a run's columns: run, date, git rev, build id, microcode, cost */
static void print_run(const struct row *r)
{
    printf("    %4ld  %-20s  %-12.12s  %-12.12s  %-10s  %12.3f%s%s\n", r->ordinal, r->date,
           r->git_rev, r->build_id, r->microcode, r->median, r->change ? "  " : "",
           r->change ? r->change : "");
}

static const char *series_title(const struct row *r, char *buf, size_t n)
{
    snprintf(buf, n, "%s [%s] on %s, %s", r->variant, r->image, r->host, r->mode);
    return buf;
}

/* Data and title strings for gnuplot: printable ASCII without tabs or
 * quotes (they are data, never commands, but keep the file readable). */
static void put_clean(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\' ? *s : '?', f);
}

static int plot(const struct history_args *a, const struct row *rows, size_t n,
                size_t nsets)
{
    char *copy1 = xstrdup(a->plot), *copy2 = xstrdup(a->plot);
    char *dir = realpath(dirname(copy1), NULL), *base = basename(copy2);
    int rc = 1;
    if (!dir || !*base || strcmp(base, "/") == 0 || strcmp(base, ".") == 0) {
        fprintf(stderr, "asilab: history --plot %s: %s\n", a->plot,
                dir ? "expected a file name prefix" : strerror(errno));
        goto out;
    }
    if (!gnuplot_find())
        goto out;
    char *out = xasprintf("%s/%s", dir, base), *dat = xasprintf("%s.dat", out);
    FILE *f = fopen(dat, "w");
    if (!f) {
        fprintf(stderr, "asilab: history: cannot write %s: %s\n", dat, strerror(errno));
        free(out);
        free(dat);
        goto out;
    }
    long ns = 0;
    char title[512];
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(rows[i - 1].key, rows[i].key)) {
            fputs(ns++ ? "\n\n\"" : "\"", f);
            if (strcmp(rows[0].op, rows[n - 1].op)) {   /* several ops: name them */
                put_clean(f, rows[i].op);
                fputc(' ', f);
            }
            put_clean(f, series_title(&rows[i], title, sizeof title));
            fputs("\"\n", f);
        }
        fprintf(f, "%ld\t%.6g\t%.6g\t%.6g\t", rows[i].ordinal, rows[i].median,
                rows[i].p10, rows[i].p90);
        char rev[9];
        snprintf(rev, sizeof rev, "%s", rows[i].git_rev);
        put_clean(f, rev);
        fputc('\n', f);
    }
    bool werr = ferror(f);
    werr |= fclose(f) != 0;
    if (werr) {
        fprintf(stderr, "asilab: history: cannot write %s\n", dat);
    } else {
        char *vars = xstrdup("");
        var_str(&vars, "dat", dat);
        snprintf(title, sizeof title, "%s: cost per run", a->op);
        var_str(&vars, "title", title);
        snprintf(title, sizeof title, "%s/op (median, p10-p90)", rows[0].unit);
        var_str(&vars, "ylabel", title);
        var_int(&vars, "ns", ns);
        var_int(&vars, "step", (long)(nsets + 19) / 20);
        rc = gnuplot_draw(a->scripts, "history.gp", out, vars) ? 1 : 0;
        if (rc == 0)
            printf("history: plot %s.png, %s.svg (%ld series; data %s)\n", out, out, ns, dat);
        free(vars);
    }
    free(out);
    free(dat);
out:
    free(dir);
    free(copy1);
    free(copy2);
    return rc;
}

static int show(struct db *d, const struct history_args *a)
{
    size_t n, nsets;
    struct row *rows = load_rows(d, a, &n, &nsets);
    if (n == (size_t)-1)
        return 1;
    int rc = 0;
    if (n == 0) {
        fprintf(stderr, "asilab: history %s: no runs%s%s%s%s%s%s%s%s (asilab history "
                "lists the ops it holds)\n", d->path, a->op ? " of " : "",
                a->op ? a->op : "", a->variant ? ", variant " : "",
                a->variant ? a->variant : "", a->host ? ", host " : "",
                a->host ? a->host : "", a->mode ? ", mode " : "", a->mode ? a->mode : "");
        free(rows);
        return 1;
    }
    size_t nchanges = 0, nseries = 0, nflagged_series = 0;
    bool series_flagged = false;
    for (size_t i = 0; i < n; i++) {
        bool first = i == 0 || strcmp(rows[i - 1].key, rows[i].key);
        nseries += first;
        if (first)
            series_flagged = false;
        if (rows[i].change) {
            nchanges++;
            nflagged_series += !series_flagged;
            series_flagged = true;
        }
    }
    char title[512];
    if (a->changes) {
        for (size_t i = 0; i < n; i++)
            if (rows[i].change)
                printf("%s  %s  run %ld (%s, %.12s): %.3f %s/op, %s\n", rows[i].op,
                       series_title(&rows[i], title, sizeof title), rows[i].ordinal,
                       rows[i].date, rows[i].git_rev, rows[i].median, rows[i].unit,
                       rows[i].change);
        printf("history: %zu change%s in %zu of %zu series over %zu result sets\n",
               nchanges, nchanges == 1 ? "" : "s", nflagged_series, nseries, nsets);
    } else if (a->op) {
        for (size_t i = 0; i < n; i++) {
            if (i == 0 || strcmp(rows[i - 1].key, rows[i].key)) {
                printf("%s%s  %s (%s/op)\n", i ? "\n" : "", rows[i].op,
                       series_title(&rows[i], title, sizeof title), rows[i].unit);
                printf("     run  %-20s  %-12s  %-12s  %-10s  %12s  change\n", "date",
                       "git_rev", "build_id", "microcode", "median");
            }
            print_run(&rows[i]);
        }
        printf("\nhistory: %zu series, %zu runs over %zu result sets, %zu change%s flagged\n",
               nseries, n, nsets, nchanges, nchanges == 1 ? "" : "s");
        if (a->plot)
            rc = plot(a, rows, n, nsets);
    } else {
        printf("%-44s %7s %6s %8s\n", "op", "series", "runs", "changes");
        for (size_t i = 0, j; i < n; i = j) {
            size_t ser = 0, runs = 0, ch = 0;
            for (j = i; j < n && strcmp(rows[j].op, rows[i].op) == 0; j++) {
                ser += j == i || strcmp(rows[j - 1].key, rows[j].key);
                runs++;
                ch += rows[j].change != NULL;
            }
            printf("%-44s %7zu %6zu %8zu\n", rows[i].op, ser, runs, ch);
        }
        printf("history: %zu series over %zu result sets, %zu change%s flagged "
               "(asilab history --changes)\n", nseries, nsets, nchanges,
               nchanges == 1 ? "" : "s");
    }
    for (size_t i = 0; i < n; i++)
        row_free(&rows[i]);
    free(rows);
    return rc;
}

int cmd_history(const struct history_args *a)
{
    struct db d;
    int rc;
    if (a->add) {
        if (a->ndirs == 0)
            usage_error("history add needs one or more result directories");
        if (a->op || a->changes || a->plot || a->variant || a->host || a->mode)
            usage_error("history add takes only --db and result directories");
        if ((rc = db_open(&d, a->db, true)) != 0)
            return rc;
        for (int i = 0; i < a->ndirs; i++)
            rc |= add_set(&d, a->dirs[i]);
        sqlite3_close(d.h);
        return rc;
    }
    if (a->ndirs)
        usage_error("unexpected argument '%s' (history add DIR... adds result sets)",
                    a->dirs[0]);
    if (a->plot && !a->op)
        usage_error("history --plot needs --op");
    if (a->op) {
        char *w, *op;
        int nth;
        bool ok = parse_op(a->op, &w, &op, &nth);
        free(w);
        free(op);
        if (!ok)
            usage_error("bad --op '%s': expected [WORKLOAD/]OP[#N] (names of "
                        "[a-z0-9_], N 2..999)", a->op);
    }
    if ((rc = db_open(&d, a->db, false)) != 0)
        return rc;
    rc = show(&d, a);
    sqlite3_close(d.h);
    return rc;
}
