#!/bin/sh
# lava_run.sh — asilab lava end to end with LAVA's own dispatcher and no
# server: jobs of three boots (shared_l4: hypercall, and gnttab's two
# modules with arguments) and of a bare-metal x86 type, all checked with
# LAVA's schema by asilab lava; each qemu job run by lava-run with the
# device dictionary asilab wrote (QEMU TCG icount), its log collected and
# ingested: a complete set whose results are exactly `asilab run`'s for
# the same boots, each boot's log named in its provenance.  Then the bad
# input: a job LAVA's schema refuses, a LAVA server that is not there
# (nothing submitted, nothing lost, a clear message), a job log cut
# before the hv's exit (that boot incomplete, exit 1) and a log line that
# is not LAVA's YAML (reported with its line number).  Skipped (77)
# without lava-dispatcher or root (lava-run refuses other users).
set -u
out=${BOOT_TEST_DIR:?}/lava
A=${ASILAB:?}
[ -x /usr/bin/lava-run ] && [ "$(id -u)" = 0 ] || { echo "lava_run: no lava-run or not root"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
fail() { echo "lava_run: $*"; exit 1; }

"$A" lava --variant shared_l4 --workload hypercall,gnttab --mode deterministic \
    --device-type qemu,x86 --url http://lava.example/asilab/files --out "$out/jobs-url" \
    >"$out/lava-url.log" 2>&1 || { cat "$out/lava-url.log"; fail "asilab lava (qemu,x86) exited $?"; }
grep -q "4 jobs (2 boots x 2 device types) .*valid against LAVA's schema" "$out/lava-url.log" ||
    { cat "$out/lava-url.log"; fail "jobs not validated"; }
grep -q "module http://lava.example/asilab/files/asilab/workloads/gnttab.elf grant_to=0" \
    "$out/jobs-url/jobs/x86/0002.yaml" || fail "x86 job: the second module is not fetched from --url"
"$A" lava --variant shared_l4 --workload hypercall,gnttab --device-type x86 --out "$out/nourl" \
    >"$out/nourl.log" 2>&1
[ $? = 2 ] && grep -q "give --url http" "$out/nourl.log" || { cat "$out/nourl.log"; fail "x86 without --url"; }

"$A" lava --variant shared_l4 --workload hypercall,gnttab --mode deterministic --device-type qemu \
    --out "$out/jobs" >"$out/lava.log" 2>&1 || { cat "$out/lava.log"; fail "asilab lava exited $?"; }
J=$out/jobs
start=$(date +%s)
for k in 1 2; do
    /usr/bin/lava-run --job-id "asilab-test-$k" --output-dir "$out/run$k" \
        --device "$J/devices/qemu-local.yaml" "$J/jobs/qemu/000$k.yaml" 2>"$out/job$k.log" \
        || { tail -20 "$out/job$k.log"; fail "lava-run of job $k exited $?"; }
    grep -q 'result: pass' "$out/run$k/result.yaml" 2>/dev/null ||
        grep -q '"case": "job".*"result": "pass"' "$out/job$k.log" ||
        { tail -20 "$out/job$k.log"; fail "job $k did not pass in LAVA"; }
done
echo "lava_run: 2 lava-run jobs in $(($(date +%s) - start)) s"
"$A" lava collect "$J" --out "$out/res" 1="$out/job1.log" 2="$out/job2.log" >"$out/collect.log" 2>&1 ||
    { cat "$out/collect.log"; fail "lava collect exited $?"; }
"$A" run --variant shared_l4 --workload hypercall,gnttab --accel tcg --out "$out/direct" \
    >"$out/direct.log" 2>&1 || { cat "$out/direct.log"; fail "run exited $?"; }

# A job LAVA's schema refuses.
sed 's/^    to: tmpfs/    to: nowhere/' "$J/jobs/qemu/0001.yaml" >"$out/broken.yaml"
printf '%s\n' "$out/broken.yaml" >"$out/broken.list"
/usr/bin/python3 "$(dirname "$0")/../../bench/lava-validate.py" "$out/broken.list" >"$out/broken.log" 2>&1
[ $? = 1 ] && grep -q "broken.yaml: invalid" "$out/broken.log" || { cat "$out/broken.log"; fail "a broken job passed LAVA's schema"; }
# A server that is not there: a clear message, nothing recorded as submitted.
if command -v lavacli >/dev/null; then
    "$A" lava submit "$J" --server http://127.0.0.1:9/RPC2 >"$out/submit.log" 2>&1
    [ $? = 1 ] && grep -q "jobs/qemu/0001.yaml not submitted to http://127.0.0.1:9/RPC2: Unable to connect" "$out/submit.log" &&
        grep -q "0 of 2 jobs submitted now" "$out/submit.log" || { cat "$out/submit.log"; fail "unreachable server"; }
    [ -s "$J/jobs/qemu/0001.yaml" ] || fail "a job file was lost"
fi
# A server, played by a fake lavacli that knows these two jobs: submit
# records the ids (a second submit sends nothing), collect fetches the
# finished jobs' logs, each boot's host the LAVA device that ran it.
mkdir -p "$out/bin"
cat >"$out/bin/lavacli" <<END
#!/bin/sh
# fake lavacli: \$1 \$2 the identity, then the command
[ "\$2" = farm ] || { echo "Unknown identity '\$2'"; exit 1; }
shift 2
case "\$1 \$2" in
"jobs submit") n=\$(cat "$out/ids" 2>/dev/null || echo 100); n=\$((n + 1)); echo \$n >"$out/ids"; echo \$n ;;
"jobs show") echo '{"id": '\$3', "state": "Finished", "health": "Complete", "device": "qemu-0'\$((\$3 - 100))'"}' ;;
"jobs logs") cat "$out/job\$((\$3 - 100)).log" ;;
*) echo "fake lavacli: \$*" >&2; exit 1 ;;
esac
END
chmod +x "$out/bin/lavacli"
cp -r "$J" "$out/jobs-srv"
PATH="$out/bin:$PATH" "$A" lava submit "$out/jobs-srv" --server farm >"$out/submit-srv.log" 2>&1 ||
    { cat "$out/submit-srv.log"; fail "submit to the fake server exited $?"; }
grep -q "2 of 2 jobs submitted now, 0 before" "$out/submit-srv.log" || { cat "$out/submit-srv.log"; fail "submit"; }
PATH="$out/bin:$PATH" "$A" lava submit "$out/jobs-srv" --server farm >"$out/submit-srv2.log" 2>&1 &&
    grep -q "0 of 2 jobs submitted now, 2 before" "$out/submit-srv2.log" || { cat "$out/submit-srv2.log"; fail "resubmit"; }
PATH="$out/bin:$PATH" "$A" lava collect "$out/jobs-srv" --server farm --out "$out/res-srv" \
    >"$out/collect-srv.log" 2>&1 || { cat "$out/collect-srv.log"; fail "collect from the fake server exited $?"; }
cp -r "$J" "$out/jobs-nobody"
PATH="$out/bin:$PATH" "$A" lava submit "$out/jobs-nobody" --server nobody >"$out/submit-bad.log" 2>&1
[ $? = 1 ] && grep -q "not submitted to nobody: Unknown identity 'nobody'" "$out/submit-bad.log" ||
    { cat "$out/submit-bad.log"; fail "an unknown identity"; }

# A job log cut before the hv's exit line; a line that is not LAVA's YAML.
head -n "$(grep -n '"lvl": "target".*type[^,]*end' "$out/job1.log" | head -n 1 | cut -d: -f1)" "$out/job1.log" >"$out/cut.log"
sed '0,/"lvl": "target", "msg": "hv: /s/"msg": "hv: /"msg": "\\q hv: /' "$out/job2.log" >"$out/bad.log"
"$A" lava collect "$J" --out "$out/res-bad" 1="$out/cut.log" 2="$out/bad.log" >"$out/collect-bad.log" 2>&1
[ $? = 1 ] || { cat "$out/collect-bad.log"; fail "a cut job log: exit status not 1"; }
grep -q "bad.log: 1 guest line(s) not readable (first: line " "$out/collect-bad.log" ||
    { cat "$out/collect-bad.log"; fail "the unreadable line not reported"; }

/usr/bin/python3 - "$out" <<'PY' || fail "see above"
import json, sys
out = sys.argv[1]
def recs(d):
    return [json.loads(l) for l in open(d + "/records.jsonl")]
def results(d):
    return {(r["variant"], r["workload"], r["op"]): r for r in recs(d) if r["type"] == "result"}
def want(c, what):
    if not c:
        sys.exit("lava_run: " + what)
s = json.load(open(out + "/res/qemu/ingest.json"))
want(s["complete"] and s["boots_read"] == 2 and s["boots_passed"] == 2, "ingest.json: %s" % s)
ing, direct = results(out + "/res/qemu"), results(out + "/direct")
want(len(ing) == 3 and set(ing) == set(direct), "results %s vs %s" % (sorted(ing), sorted(direct)))
for k, r in ing.items():
    d = direct[k]
    want(r["values"] == d["values"] and r["median"] == d["median"],
         "%s: median %s from LAVA, %s from asilab run" % (k, r["median"], d["median"]))
    p = r["provenance"]
    want(p["source"]["kind"] == "log" and p["source"]["log"].endswith("res/qemu.serial.log")
         and p["hostname"] == "qemu" and p["accel"] == "tcg" and p["boot_status"] == "pass",
         "%s: provenance %s" % (k, p))
    want(p["build_id"] == d["provenance"]["build_id"], "%s: build id" % (k,))
srv = results(out + "/res-srv/qemu")
want(set(srv) == set(direct) and all(r["median"] == direct[k]["median"] for k, r in srv.items()),
     "from the server: %s" % sorted(srv))
hosts = {(k[1], r["provenance"]["hostname"], r["provenance"]["source"].get("lava_job"))
         for k, r in srv.items()}
want(hosts == {("hypercall", "qemu-01", "101"), ("gnttab", "qemu-02", "102")},
     "server hosts/jobs: %s" % hosts)
b = json.load(open(out + "/res-bad/qemu/ingest.json"))
want(not b["complete"] and b["boots_read"] == 2 and b["boots_passed"] == 1, "bad logs: %s" % b)
want(any("1/2" in p and "incomplete" in p for p in b["problems"]), "cut log: %s" % b["problems"])
print("lava_run: lava-run jobs = asilab run boots, exactly; bad jobs, server and logs reported")
PY
