#!/usr/bin/env python3
"""test_run_xtf.py: tests/xtf/run-xtf end to end on a throw-away fake XTF
checkout (a Makefile per test, as XTF's, answering NAMEvar/TEST-ENVSvar/
TEST-CFGSvar and building test-pv64-NAME by copying a scenario file),
a fake build directory and fake-xtf-qemu.py in place of QEMU: the pv64
selection and build, the QEMU command lines, the table and its
classification, logs, exit statuses, timeouts, hostile output, the Xen
column (a QEMU that never exits) and bad arguments."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.realpath(__file__))
RUN = os.path.join(HERE, "run-xtf")
FAKE_QEMU = os.path.join(HERE, "fake-xtf-qemu.py")
sys.path.insert(0, HERE)
import xtf_result as xr  # noqa: E402

TOP_MK = """\
MAKEFLAGS += -rR
ROOT := $(abspath $(CURDIR))
export ROOT
all:
"""

TEST_MK = """\
NAME      := {name}
TEST-ENVS := {envs}
TEST-CFGS := {cfgs}
%var:
\t@echo "$* = $($*)"
test-pv64-$(NAME): scenario
\t{build}
test-pv64-%.cfg:
\tprintf 'name="%s"\\nvcpus={vcpus}\\nmemory=128\\n{cmdline}' $* > $@
"""

# test name -> scenario (the fake QEMU's behaviour)
SCENARIOS = {"ok": "success", "skipper": "skip", "failer": "failure", "errer": "error",
             "warner": "warn", "panicker": "panic", "hvcrash": "hvcrash", "hanger": "hang",
             "garbage": "garbage", "silent": "silent"}
EXPECT = {"ok": "SUCCESS", "skipper": "SKIP", "failer": "FAILURE", "errer": "ERROR",
          "warner": "SUCCESS*", "panicker": "CRASH", "hvcrash": "CRASH", "hanger": "CRASH",
          "garbage": "FAILURE", "silent": "CRASH", "iopl~hypercall": "FAILURE",
          "iopl~vmassist": "SUCCESS"}
VARIANTS = ["shared_l4", "per_vcpu_l4+stackzero"]


def alive(pid):
    """pid runs (a zombie does not count)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def read_pids(path):
    try:
        with open(path) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def make_xtf(root, broken=False):
    os.makedirs(os.path.join(root, "tests"))
    with open(os.path.join(root, "Makefile"), "w") as f:
        f.write(TOP_MK)

    def add(name, scenario, envs="pv64 hvm64", vary=None, vcpus=1, build=None):
        d = os.path.join(root, "tests", name)
        os.makedirs(d)
        if vary:
            cfgs = " ".join("test-%s-%s~%s.cfg" % (e, name, v) for e in envs.split() for v in vary)
        else:
            cfgs = " ".join("test-%s-%s.cfg" % (e, name) for e in envs.split())
        with open(os.path.join(d, "Makefile"), "w") as f:
            f.write(TEST_MK.format(name=name, envs=envs, cfgs=cfgs, vcpus=vcpus,
                                   build=build or "cp scenario $@",
                                   cmdline='cmdline="%s"\\n' % "$(lastword $(subst ~, ,$*))"
                                   if vary else ""))
        with open(os.path.join(d, "scenario"), "w") as f:
            f.write(scenario + "\n")

    for name, sc in SCENARIOS.items():
        add(name, sc)
    add("iopl", "cmdline", envs="pv64 pv32pae", vary=["hypercall", "vmassist"], vcpus=2)
    add("hvmonly", "success", envs="hvm64 hvm32")
    if broken:
        add("broken", "success", build="false")


class RunXtf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="run-xtf-test.")
        cls.xtf = os.path.join(cls.tmp, "xtf")
        make_xtf(cls.xtf)
        cls.build = os.path.join(cls.tmp, "build")
        os.makedirs(cls.build)
        for v in VARIANTS:
            open(os.path.join(cls.build, "hv-%s.elf" % v), "w").close()
        os.makedirs(os.path.join(cls.build, "workloads"))
        open(os.path.join(cls.build, "workloads", "console.elf"), "w").close()
        with open(os.path.join(cls.build, "xen-4.17-amd64.elf"), "wb") as f:
            f.write(b"\x7fELF fake")
        cls.work = os.path.join(cls.tmp, "cwd")
        os.makedirs(cls.work)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_xtf(self, *args, xtf=None, env=None):
        cmd = [sys.executable, RUN, "--xtf-dir", xtf or self.xtf, "--build", self.build,
               "--qemu", FAKE_QEMU] + list(args)
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run(cmd, cwd=self.work, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, timeout=300)

    def table(self, stdout):
        """{test: [cells]} of the table's rows, and the column names."""
        lines = stdout.decode("ascii").splitlines()
        head = next(i for i, l in enumerate(lines) if l.startswith("test "))
        cols = lines[head].split()[1:]
        rows = {}
        for l in lines[head + 1:]:
            if not l.strip():
                break
            parts = l.split()
            rows[parts[0]] = parts[1:]
        return cols, rows

    def test_full_run(self):
        log = os.path.join(self.tmp, "argv.log")
        out = os.path.join(self.tmp, "out-full")
        r = self.run_xtf("-j", "3", "--xen", "--timeout", "5", "--out", out,
                         env={"FAKE_QEMU_LOG": log})
        self.assertEqual(r.returncode, 1, r.stderr)
        # the table is printable ASCII whatever the guests printed
        self.assertTrue(all(b == 10 or 0x20 <= b < 0x7f for b in r.stdout), r.stdout)
        cols, rows = self.table(r.stdout)
        self.assertEqual(cols, VARIANTS + ["xen-4.17"])
        self.assertEqual(sorted(rows), sorted(EXPECT))      # pv64 only, one per .cfg
        for t, want in EXPECT.items():
            self.assertEqual(rows[t], [want] * 3, t)
        text = r.stdout.decode()
        self.assertIn("passed   ", text)
        self.assertRegex(text, r"crashed\s+4\s+4\s+4")
        self.assertRegex(text, r"failed\s+3\s+3\s+3")
        self.assertIn("skipper [all] SKIP: Skip: no such feature", text)
        self.assertIn("hanger [all] CRASH: timeout after 5s; last line: Test: spinning", text)
        self.assertIn("hvcrash [all variants] CRASH: *** hv exception #PF", text)
        self.assertIn("hvcrash [xen-4.17] CRASH: (XEN) Panic on CPU 0:", text)
        self.assertIn("warner [all] SUCCESS: Warning: odd", text)
        self.assertIn("silent [all] CRASH: no output", text)
        self.assertIn("PANIC: Unhandled exception at e033:0000000000104005; Vec 13", text)
        self.assertIn("\\x1b[2J", text)
        self.assertFalse(os.path.exists(os.path.join(self.work, "GARBAGE_RAN")))
        # a log and a meta file of every boot; the raw bytes kept
        for c in cols:
            for t in EXPECT:
                self.assertTrue(os.path.isfile(os.path.join(out, "logs", c, t + ".log")), (c, t))
                self.assertTrue(os.path.isfile(os.path.join(out, "logs", c, t + ".meta")))
        with open(os.path.join(out, "logs", "shared_l4", "garbage.log"), "rb") as f:
            self.assertIn(b"\xff\xfe\x1b[2J", f.read())
        # the saved-column format reads back
        with open(os.path.join(out, "xen-4.17.txt")) as f:
            saved = xr.parse_saved(f.read())
        self.assertEqual(saved["skipper"].status, "SKIP")
        self.assertEqual(saved["panicker"].status, "CRASH")
        with open(os.path.join(out, "results.tsv")) as f:
            self.assertEqual(len(f.read().splitlines()), 1 + 3 * len(EXPECT))
        # the command lines: asilab with the builder's module arguments,
        # Xen with dom0's; vcpus and the cfg's cmdline from the .cfg
        with open(log) as f:
            boots = [b.split("\n") for b in f.read().split("\n--\n") if b.strip()]
        self.assertEqual(len(boots), 3 * len(EXPECT))
        mods = {(b[b.index("-kernel") + 1].rsplit("/", 1)[1], b[b.index("-initrd") + 1]
                 .rsplit("/", 1)[1]): b for b in boots}
        hv = mods[("hv-shared_l4.elf", "test-pv64-iopl vmassist vcpus=2")]
        self.assertEqual(hv[hv.index("-append") + 1], "mode=deterministic")
        for want in ("-icount", "shift=0,sleep=off", "-smp", "2", "tcg"):
            self.assertIn(want, hv)
        self.assertIn(("hv-per_vcpu_l4+stackzero.elf", "test-pv64-ok"), mods)
        xen = mods[("xen-4.17-amd64.elf", "test-pv64-iopl hypercall")]
        self.assertIn("dom0_max_vcpus=2", xen[xen.index("-append") + 1])
        self.assertIn("dom0_mem=128M", xen[xen.index("-append") + 1])
        self.assertIn("xen-4.17", sorted(os.listdir(os.path.join(out, "logs"))))

    def test_passing_subset(self):
        out = os.path.join(self.tmp, "out-pass")
        saved = os.path.join(self.tmp, "saved.txt")
        with open(saved, "w") as f:
            f.write("# a saved column\nok\tSUCCESS\t\nskipper\tFAILURE\tFail: x\n")
        r = self.run_xtf("--test", "ok,skipper", "--test", "test-pv64-iopl~vmassist",
                         "--variant", "shared_l4", "--out", out, "--xen-saved", saved)
        # the saved column's FAILURE does not count
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        cols, rows = self.table(r.stdout)
        self.assertEqual(cols, ["shared_l4", "xen(saved)"])
        self.assertEqual(rows["ok"], ["SUCCESS", "SUCCESS"])
        self.assertEqual(rows["skipper"], ["SKIP", "FAILURE"])
        self.assertEqual(rows["iopl~vmassist"], ["SUCCESS", "-"])

    def test_domu(self):
        """--domu: each test as domain 1 behind the minimal dom0, the hv
        with domu_console_io=0; the table reads the domU's lines only."""
        out = os.path.join(self.tmp, "out-domu")
        log = os.path.join(self.tmp, "qemu-domu.log")
        r = self.run_xtf("--domu", "--test", "ok,failer,panicker", "--variant", "shared_l4",
                         "--out", out, env={"FAKE_QEMU_LOG": log})
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        cols, rows = self.table(r.stdout)
        self.assertEqual(rows["ok"], ["SUCCESS"])
        self.assertEqual(rows["failer"], ["FAILURE"])
        self.assertEqual(rows["panicker"], ["CRASH"])
        with open(log) as f:
            argvs = f.read().split("--\n")[:-1]
        self.assertEqual(len(argvs), 3)
        dom0 = os.path.join(self.build, "workloads", "console.elf")
        for a in argvs:
            a = a.splitlines()
            self.assertEqual(a[a.index("-append") + 1], "mode=deterministic domu_console_io=0")
            self.assertTrue(a[a.index("-initrd") + 1].startswith(dom0 + ","), a)
        # without the minimal dom0 built: a setup error
        os.rename(dom0, dom0 + ".away")
        try:
            r = self.run_xtf("--domu", "--test", "ok", "--variant", "shared_l4", "--out", out)
        finally:
            os.rename(dom0 + ".away", dom0)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(b"console.elf", r.stderr)

    def test_interrupt_kills_qemu(self):
        self.interrupt(signal.SIGINT, 130)
        self.interrupt(signal.SIGTERM, 130)

    @unittest.skipUnless(shutil.which("setpriv"), "no setpriv (util-linux)")
    def test_kill9_kills_qemu(self):
        self.interrupt(signal.SIGKILL, -9)

    def interrupt(self, sig, rc):
        pidfile = os.path.join(self.tmp, "pids.%d" % sig)
        cmd = [sys.executable, RUN, "--xtf-dir", self.xtf, "--build", self.build, "--qemu",
               FAKE_QEMU, "--test", "hanger", "-j", "2", "--no-build",
               "--out", os.path.join(self.tmp, "out-int")]
        p = subprocess.Popen(cmd, cwd=self.work, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=dict(os.environ, FAKE_QEMU_PIDFILE=pidfile))
        for _ in range(600):                    # both hanging boots started
            if len(read_pids(pidfile)) == 2:
                break
            time.sleep(0.05)
        pids = read_pids(pidfile)
        self.assertEqual(len(pids), 2)
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, rc, err)
        if rc == 130:
            self.assertIn(b"interrupted", err)
        for _ in range(200):                    # a kill -9'd runner's QEMUs die soon
            if not any(alive(pid) for pid in pids):
                break
            time.sleep(0.05)
        for pid in pids:
            self.assertFalse(alive(pid), pid)

    def test_test_group(self):
        # a test's name alone selects all its variations
        r = self.run_xtf("--list", "--test", "iopl")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.decode().split(), ["iopl~hypercall", "iopl~vmassist"])
        r = self.run_xtf("--list")
        self.assertEqual(sorted(r.stdout.decode().split()), sorted(EXPECT))

    def test_xen_only_failure(self):
        r = self.run_xtf("--variant", "xen-4.17", "--test", "failer", "--out",
                         os.path.join(self.tmp, "out-xen"))
        self.assertEqual(r.returncode, 1)
        cols, rows = self.table(r.stdout)
        self.assertEqual(cols, ["xen-4.17"])
        self.assertEqual(rows["failer"], ["FAILURE"])

    def test_bad_arguments(self):
        cases = [([], "--xtf-dir"), (["--jobs", "0"], "--jobs"), (["-j", "x"], "--jobs"),
                 (["--timeout", "-1"], "--timeout"), (["--variant", "nope"], "nope"),
                 (["--test", "nope"], "nope"), (["--frobnicate"], "frobnicate"),
                 (["--xen-image", os.path.join(self.tmp, "missing.gz"), "--xen"], "missing"),
                 (["--xen-saved", os.path.join(self.tmp, "missing.txt")], "missing"),
                 (["--qemu", os.path.join(self.tmp, "no-qemu")], "no-qemu")]
        for args, word in cases:
            if args:
                r = self.run_xtf(*args)
            else:
                r = subprocess.run([sys.executable, RUN], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            err = r.stderr.decode().splitlines()
            self.assertEqual(len(err), 1, (args, err))
            self.assertIn(word, err[0])
            self.assertEqual(r.stdout, b"")
        r = self.run_xtf(xtf=os.path.join(self.tmp, "not-xtf"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("not an XTF checkout", r.stderr.decode())

    def test_build_failure(self):
        xtf = os.path.join(self.tmp, "xtf-broken")
        make_xtf(xtf, broken=True)
        r = self.run_xtf("--test", "broken", "--out", os.path.join(self.tmp, "out-broken"),
                         xtf=xtf)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.decode().splitlines()), 1)
        self.assertIn("building XTF's pv64 tests failed", r.stderr.decode())

    def test_builds_only_pv64(self):
        xtf = os.path.join(self.tmp, "xtf-fresh")
        make_xtf(xtf)
        r = self.run_xtf("--test", "ok,iopl", "--variant", "shared_l4",
                         "--out", os.path.join(self.tmp, "out-fresh"), xtf=xtf)
        self.assertEqual(r.returncode, 1, r.stderr)       # iopl~hypercall fails
        built = sorted(f for d in ("ok", "iopl", "hvmonly")
                       for f in os.listdir(os.path.join(xtf, "tests", d)) if f.startswith("test-"))
        self.assertEqual(built, ["test-pv64-iopl", "test-pv64-iopl~hypercall.cfg",
                                 "test-pv64-iopl~vmassist.cfg", "test-pv64-ok",
                                 "test-pv64-ok.cfg"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
