/* check_records: assertions over a records.jsonl written by `asilab run`,
 * for the boot tests.  Every option is one assertion; the first that
 * fails prints why and the tool exits 1.
 *
 *   --results N            exactly N result records
 *   --events W/OP:e=v,...  the result record of workload W, op OP has
 *                          exactly these per-op event values
 *   --remote-events W/OP:e=v,...  the same for its "remote_events" (what
 *                          the op caused on the other pCPUs)
 *   --end STATUS           every end record has status STATUS
 *   --domain NAME=STATE    some end record lists domain NAME in STATE
 *   --all-poweroff         every domain of every end record shut down
 *                          with reason poweroff (none crashed)
 *   --robust N             every robustness record: survived, no
 *                          invariant failures; one has >= N calls
 *   --same OTHER.jsonl     result records match OTHER's exactly
 *                          (min/p10/median/p90/max and events)
 *   --pcpu W/OP=N          some result record of W/OP ran on pCPU N
 *   --positive W/OP:e      event e of W/OP is above zero
 *   --probe W/OP=zero|nonzero  the probe record's found count
 *   --exposure SPACE:CLASS=zero|nonzero|direct_only  every exposure
 *                          record of that space: bytes of CLASS are 0,
 *                          above 0, or above 0 and all via the directmap */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *recs[4096];
static size_t nrecs;

static void load(const char *path, json_t **out, size_t *n)
{
    FILE *f = fopen(path, "r");
    char line[65536];
    if (!f) {
        fprintf(stderr, "check_records: cannot open %s\n", path);
        exit(1);
    }
    *n = 0;
    while (fgets(line, sizeof(line), f) && *n < 4096) {
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        if (!j || !json_is_object(j)) {
            fprintf(stderr, "check_records: %s: bad JSON line %zu: %s\n", path, *n + 1, err.text);
            exit(1);
        }
        out[(*n)++] = j;
    }
    fclose(f);
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void fail(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "check_records: FAIL: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    exit(1);
}

static json_t *find_result(json_t **set, size_t n, const char *wl, const char *op)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(str(set[i], "type"), "result") && !strcmp(str(set[i], "workload"), wl) &&
            !strcmp(str(set[i], "op"), op))
            return set[i];
    return NULL;
}

static void check_events_in(const char *spec, const char *member)
{
    char buf[1024], wl[1024], op[1024];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *colon = strchr(buf, ':'), *slash = strchr(buf, '/');
    if (!colon || !slash || slash > colon)
        fail("bad --events spec '%s'%s", spec, "");
    *colon = *slash = 0;
    snprintf(wl, sizeof(wl), "%s", buf);
    snprintf(op, sizeof(op), "%s", slash + 1);
    json_t *r = find_result(recs, nrecs, wl, op);
    if (!r)
        fail("no result record for %s/%s", wl, op);
    json_t *ev = json_object_get(r, member);
    if (!json_is_object(ev))
        fail("no %s in %s", member, op);
    for (char *tok = strtok(colon + 1, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq)
            fail("bad event assertion '%s'%s", tok, "");
        *eq = 0;
        json_t *v = json_object_get(ev, tok);
        if (!json_is_number(v))
            fail("event %s missing in %s", tok, op);
        double want = atof(eq + 1), got = json_number_value(v);
        if (fabs(want - got) > 1e-9) {
            char msg[4096];
            snprintf(msg, sizeof(msg), "%s/%s: %s%s = %.3f, expected %.3f", wl, op,
                     strcmp(member, "events") ? "remote " : "", tok, got, want);
            fail("%s%s", msg, "");
        }
    }
}

static void check_events(const char *spec)
{
    check_events_in(spec, "events");
}

static void check_same(const char *other)
{
    static json_t *orecs[4096];
    size_t on;
    static const char *const keys[] = { "min", "p10", "median", "p90", "max" };
    load(other, orecs, &on);
    size_t compared = 0;
    for (size_t i = 0; i < nrecs; i++) {
        json_t *r = recs[i];
        if (strcmp(str(r, "type"), "result"))
            continue;
        json_t *o = find_result(orecs, on, str(r, "workload"), str(r, "op"));
        if (!o)
            fail("%s/%s missing in the other run", str(r, "workload"), str(r, "op"));
        for (size_t k = 0; k < 5; k++)
            if (json_number_value(json_object_get(r, keys[k])) !=
                json_number_value(json_object_get(o, keys[k])))
                fail("%s: %s differs between the two runs", str(r, "op"), keys[k]);
        if (!json_equal(json_object_get(r, "events"), json_object_get(o, "events")))
            fail("%s: events differ between the two runs%s", str(r, "op"), "");
        compared++;
    }
    if (!compared)
        fail("no result records to compare%s%s", "", "");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "results", required_argument, 0, 'r' }, { "events", required_argument, 0, 'e' },
        { "end", required_argument, 0, 'n' }, { "domain", required_argument, 0, 'd' },
        { "robust", required_argument, 0, 'R' }, { "same", required_argument, 0, 's' },
        { "pcpu", required_argument, 0, 'p' },
        { "positive", required_argument, 0, 'P' },
        { "probe", required_argument, 0, 'b' },
        { "exposure", required_argument, 0, 'x' },
        { "all-poweroff", no_argument, 0, 'A' },
        { "remote-events", required_argument, 0, 'E' },
        { 0, 0, 0, 0 },
    };
    if (argc < 2) {
        fprintf(stderr, "usage: check_records RECORDS.jsonl [assertions]\n");
        return 2;
    }
    load(argv[1], recs, &nrecs);
    optind = 2;
    for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        switch (c) {
        case 'r': {
            long want = atol(optarg), got = 0;
            for (size_t i = 0; i < nrecs; i++)
                got += !strcmp(str(recs[i], "type"), "result");
            if (got != want) {
                char g[32];
                snprintf(g, sizeof(g), "%ld", got);
                fail("%s result records, expected %s", g, optarg);
            }
            break;
        }
        case 'e':
            check_events(optarg);
            break;
        case 'E':
            check_events_in(optarg, "remote_events");
            break;
        case 'n': {
            size_t ends = 0;
            for (size_t i = 0; i < nrecs; i++)
                if (!strcmp(str(recs[i], "type"), "end")) {
                    ends++;
                    if (strcmp(str(recs[i], "status"), optarg))
                        fail("end status %s, expected %s", str(recs[i], "status"), optarg);
                }
            if (!ends)
                fail("no end record%s%s", "", "");
            break;
        }
        case 'd': {
            char name[128];
            snprintf(name, sizeof(name), "%s", optarg);
            char *eq = strchr(name, '=');
            if (!eq)
                fail("bad --domain '%s'%s", optarg, "");
            *eq = 0;
            int found = 0;
            for (size_t i = 0; i < nrecs; i++) {
                json_t *doms = json_object_get(recs[i], "domains"), *d;
                size_t k;
                json_array_foreach(doms, k, d)
                    if (!strcmp(str(d, "name"), name) && !strcmp(str(d, "state"), eq + 1))
                        found = 1;
            }
            if (!found)
                fail("no domain %s in state %s", name, eq + 1);
            break;
        }
        case 'A': {
            size_t doms_seen = 0;
            for (size_t i = 0; i < nrecs; i++) {
                json_t *doms = json_object_get(recs[i], "domains"), *d;
                size_t k;
                json_array_foreach(doms, k, d) {
                    doms_seen++;
                    if (strcmp(str(d, "state"), "shutdown") || strcmp(str(d, "reason"), "poweroff"))
                        fail("domain %s did not power off", str(d, "name"), "");
                }
            }
            if (!doms_seen)
                fail("no domains in any end record%s%s", "", "");
            break;
        }
        case 'R': {
            size_t n = 0;
            long most = 0;
            for (size_t i = 0; i < nrecs; i++) {
                json_t *r = recs[i];
                if (strcmp(str(r, "type"), "robustness"))
                    continue;
                n++;
                long c = json_integer_value(json_object_get(r, "calls"));
                most = c > most ? c : most;
                if (!json_is_true(json_object_get(r, "survived")) ||
                    json_integer_value(json_object_get(r, "invariant_failures")) != 0 || c < 1)
                    fail("robustness record of %s not clean%s", str(r, "workload"), "");
            }
            if (!n)
                fail("no robustness record%s%s", "", "");
            if (most < atol(optarg))
                fail("no robustness record with at least %s calls%s", optarg, "");
            break;
        }
        case 's':
            check_same(optarg);
            break;
        case 'P': {
            char spec[256];
            snprintf(spec, sizeof(spec), "%s", optarg);
            char *colon = strchr(spec, ':'), *slash = strchr(spec, '/');
            if (!colon || !slash)
                fail("bad --positive '%s'%s", optarg, "");
            *colon = *slash = 0;
            json_t *r = find_result(recs, nrecs, spec, slash + 1);
            if (!r)
                fail("no result record for %s/%s", spec, slash + 1);
            if (!(json_number_value(json_object_get(json_object_get(r, "events"), colon + 1)) > 0))
                fail("%s: event is not above zero%s", optarg, "");
            break;
        }
        case 'b': {
            char spec[256];
            snprintf(spec, sizeof(spec), "%s", optarg);
            char *eq = strchr(spec, '='), *slash = strchr(spec, '/');
            if (!eq || !slash)
                fail("bad --probe '%s'%s", optarg, "");
            *eq = *slash = 0;
            int found = 0;
            for (size_t i = 0; i < nrecs; i++) {
                json_t *r = recs[i];
                if (strcmp(str(r, "type"), "probe") || strcmp(str(r, "workload"), spec) ||
                    strcmp(str(r, "op"), slash + 1))
                    continue;
                found = 1;
                long n = (long)json_integer_value(json_object_get(r, "found"));
                if (!strcmp(eq + 1, "zero") ? n != 0 : n == 0)
                    fail("probe %s: found is not %s", optarg, eq + 1);
            }
            if (!found)
                fail("no probe record %s%s", optarg, "");
            break;
        }
        case 'x': {
            char spec[256];
            snprintf(spec, sizeof(spec), "%s", optarg);
            char *colon = strchr(spec, ':'), *eq = strchr(spec, '=');
            if (!colon || !eq || eq < colon)
                fail("bad --exposure '%s'%s", optarg, "");
            *colon = *eq = 0;
            const char *cls = colon + 1, *want = eq + 1;
            int seen = 0;
            for (size_t i = 0; i < nrecs; i++) {
                json_t *r = recs[i];
                if (strcmp(str(r, "type"), "exposure") || strcmp(str(r, "space"), spec))
                    continue;
                seen = 1;
                json_int_t all = json_integer_value(json_object_get(json_object_get(r, "bytes"), cls));
                json_int_t dm = json_integer_value(json_object_get(json_object_get(r, "via_directmap"), cls));
                int ok = !strcmp(want, "zero") ? all == 0
                       : !strcmp(want, "nonzero") ? all > 0
                       : !strcmp(want, "direct_only") ? all > 0 && all == dm : -1;
                if (ok < 0)
                    fail("bad --exposure expectation '%s'%s", want, "");
                if (!ok) {
                    char msg[1024];
                    snprintf(msg, sizeof(msg), "%s:%s = %lld bytes (%lld via directmap), expected %s",
                             spec, cls, (long long)all, (long long)dm, want);
                    fail("exposure %s%s", msg, "");
                }
            }
            if (!seen)
                fail("no exposure record for space %s%s", spec, "");
            break;
        }
        case 'p': {
            char wlop[256];
            snprintf(wlop, sizeof(wlop), "%s", optarg);
            char *eq = strchr(wlop, '='), *slash = strchr(wlop, '/');
            if (!eq || !slash)
                fail("bad --pcpu '%s'%s", optarg, "");
            *eq = *slash = 0;
            int found = 0;
            for (size_t i = 0; i < nrecs; i++)
                if (!strcmp(str(recs[i], "type"), "result") &&
                    !strcmp(str(recs[i], "workload"), wlop) &&
                    !strcmp(str(recs[i], "op"), slash + 1) &&
                    json_integer_value(json_object_get(recs[i], "pcpu")) == atol(eq + 1))
                    found = 1;
            if (!found)
                fail("no %s result on pCPU %s", optarg, eq + 1);
            break;
        }
        default:
            return 2;
        }
    }
    printf("check_records: %s: all assertions hold\n", argv[1]);
    return 0;
}
