#!/usr/bin/env python3
"""test_xtf_result.py: the XTF log classifier (xtf_result.py) on fake
serial logs of asilab and Xen boots: each XTF result, XTF's reason line,
hv crash dumps, crashed domains, XTF's panic(), timeouts, no result line,
hostile bytes.  No XTF, QEMU or Xen needed."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import xtf_result as xr  # noqa: E402

BANNER = [b"--- Xen Test Framework ---", b"Environment: PV 64bit (Long mode 4 levels)"]


def asilab_log(guest, tail=None):
    """An asilab boot: the hv's lines, then the guest's as '(d0) ...'."""
    lines = [b"asilab hv: variant shared_l4, rev 0", b"hv: d0: test-pv64-x, 16384 pages"]
    lines += [b"(d0) " + g for g in guest]
    if tail is None:
        tail = [b"hv: d0 (test-pv64-x) shut down, reason 0",
                b'@asilab {"type":"end","status":"pass","records":7}']
    return b"\r\n".join(lines + tail) + b"\r\n"


def xen_log(guest, tail=None):
    lines = [b"(XEN) Xen version 4.17.7", b"(XEN) *** Building a PV Dom0 ***"] + guest
    if tail is None:
        tail = [b"(XEN) Hardware Dom0 halted: halting machine"]
    return b"\r\n".join(lines + tail) + b"\r\n"


class Results(unittest.TestCase):
    def check(self, data, target, status, detail=None, **kw):
        r = xr.classify(data, target, **kw)
        self.assertEqual(r.status, status, r)
        if detail is not None:
            self.assertEqual(r.detail, detail)
        return r

    def test_success(self):
        for log, t in ((asilab_log, xr.ASILAB), (xen_log, xr.XEN)):
            self.check(log(BANNER + [b"Hello World", b"Test result: SUCCESS"]), t,
                       xr.SUCCESS, "")

    def test_success_with_warnings(self):
        r = self.check(asilab_log(BANNER + [b"Warning: x", b"Test result: SUCCESS with warnings"]),
                       xr.ASILAB, xr.SUCCESS)
        self.assertTrue(r.warnings)
        self.assertEqual(r.detail, "Warning: x")

    def test_skip_with_reason(self):
        for log, t in ((asilab_log, xr.ASILAB), (xen_log, xr.XEN)):
            self.check(log(BANNER + [b"Skip: FSGSBASE not available", b"Test result: SKIP"]), t,
                       xr.SKIP, "Skip: FSGSBASE not available")

    def test_failure_reason_is_the_last_line_before(self):
        self.check(asilab_log(BANNER + [b"Fail: first", b"  Fail: cr2 wrong",
                                        b"Test result: FAILURE"]),
                   xr.ASILAB, xr.FAILURE, "Fail: cr2 wrong")

    def test_error(self):
        self.check(xen_log(BANNER + [b"Error: Test did not report a status",
                                     b"Test result: ERROR"]),
                   xr.XEN, xr.ERROR, "Error: Test did not report a status")

    def test_domu_reads_domain_1(self):
        """Booted as a domU: domain 1's lines count, dom0's do not."""
        lines = [b"asilab hv: variant shared_l4, rev 0", b"(d0) Test result: FAILURE"]
        lines += [b"(d1) " + g for g in BANNER + [b"Success: fine", b"Test result: SUCCESS"]]
        lines += [b"hv: d1 (test-pv64-x) shut down, reason 0",
                  b"hv: d0 (console) shut down, reason 0", b'@asilab {"type":"end"}']
        data = b"\r\n".join(lines) + b"\r\n"
        self.check(data, xr.ASILAB, xr.SUCCESS, "", domid=1)
        self.check(data, xr.ASILAB, xr.FAILURE, domid=0)

    def test_reason_skips_banner(self):
        self.check(asilab_log(BANNER + [b"Test result: SKIP"]), xr.ASILAB, xr.SKIP, "")

    def test_first_result_counts(self):
        self.check(asilab_log(BANNER + [b"Test result: FAILURE", b"Test result: SUCCESS"]),
                   xr.ASILAB, xr.FAILURE)

    def test_result_line_must_be_exact(self):
        for bad in (b"Test result: SUCCESSFUL", b"Test result: success", b"Test result: PASS",
                    b"xTest result: SUCCESS junk"):
            self.check(asilab_log(BANNER + [bad]), xr.ASILAB, xr.CRASH)

    def test_asilab_counts_only_d0(self):
        # another domain's line, or an hv line without the prefix, is not dom0's result
        log = asilab_log([], tail=[b"(d1) Test result: SUCCESS", b"Test result: SUCCESS",
                                   b'@asilab {"type":"end","status":"pass"}'])
        self.check(log, xr.ASILAB, xr.CRASH)

    def test_hv_crash_dump(self):
        dump = [b"", b"*** hv exception #PF (vector 14) on CPU apic 0, error code 0x2",
                b"RIP e008:ffff82d040001234 RFLAGS 0000000000010002 CR2 0 CR3 0"]
        r = self.check(asilab_log(BANNER + [b"Test result: SUCCESS"], tail=dump), xr.ASILAB,
                       xr.CRASH)
        self.assertIn("hv exception #PF", r.detail)
        self.assertIn("after Test result: SUCCESS", r.detail)
        self.check(asilab_log(BANNER, tail=[b"*** hv panic: out of frames"]), xr.ASILAB,
                   xr.CRASH, "*** hv panic: out of frames")

    def test_domain_crashed(self):
        line = b"hv: d0 (test-pv64-example) crashed: unhandled exception 6 (error 0x0) at rip 0x1030af"
        self.check(asilab_log([], tail=[line, b'@asilab {"type":"end","status":"fail"}']),
                   xr.ASILAB, xr.CRASH, line.decode())

    def test_xtf_panic(self):
        guest = BANNER + [b"******************************",
                          b"PANIC: Unhandled exception at e033:0000000000104005",
                          b"Vec 13 #GP[IDT[64]]", b"******************************"]
        self.check(xen_log(guest, tail=[b"(XEN) Hardware Dom0 crashed: 'noreboot' set"]),
                   xr.XEN, xr.CRASH,
                   "PANIC: Unhandled exception at e033:0000000000104005; Vec 13 #GP[IDT[64]] / "
                   "(XEN) Hardware Dom0 crashed: 'noreboot' set")
        self.check(asilab_log(guest, tail=[b"hv: d0 (test-pv64-x) shut down, reason 3"]),
                   xr.ASILAB, xr.CRASH)
        # XTF's panic without any hv line after it
        self.check(asilab_log(guest, tail=[]), xr.ASILAB, xr.CRASH)

    def test_xen_panic(self):
        self.check(xen_log(BANNER, tail=[b"(XEN) ****************************************",
                                         b"(XEN) Panic on CPU 0:",
                                         b"(XEN) Manual reset required ('noreboot' specified)"]),
                   xr.XEN, xr.CRASH, "(XEN) Panic on CPU 0:")

    def test_timeout(self):
        self.check(asilab_log(BANNER + [b"Test: spinning"], tail=[]), xr.ASILAB, xr.CRASH,
                   "timeout after 5s; last line: Test: spinning", timed_out=True, timeout_s=5)
        self.check(xen_log(BANNER + [b"Test result: SUCCESS"], tail=[]), xr.XEN, xr.CRASH,
                   "timeout after 5s, after Test result: SUCCESS", timed_out=True, timeout_s=5)

    def test_no_result(self):
        self.check(b"", xr.ASILAB, xr.CRASH, "no output")
        self.check(asilab_log(BANNER, tail=[b"hv: d0 (x) shut down, reason 0"]), xr.ASILAB,
                   xr.CRASH, "no Test result line; last line: Environment: PV 64bit (Long mode 4 levels)")
        self.check(b"(XEN) Xen version 4.17\r\n(XEN) Hardware Dom0 halted\r\n", xr.XEN, xr.CRASH)

    def test_garbage(self):
        junk = b"\xff\xfe\x00\x1b[2J\x9b$(touch /tmp/x)`id`\xc3\x28 \x80"
        r = self.check(asilab_log(BANNER + [junk, b"Test result: FAILURE"]), xr.ASILAB,
                       xr.FAILURE)
        self.assertTrue(all(0x20 <= ord(c) < 0x7f for c in r.detail), r.detail)
        self.assertIn("\\x1b[2J", r.detail)
        # garbage only: a crash, and printable
        r = self.check(bytes(range(256)) * 40, xr.XEN, xr.CRASH)
        self.assertTrue(all(0x20 <= ord(c) < 0x7f for c in r.detail), r.detail)
        self.assertLessEqual(len(r.detail), xr.DETAIL_MAX)
        # str input works the same
        self.check("(d0) Test result: SKIP\n", xr.ASILAB, xr.SKIP)

    def test_end_lines(self):
        self.assertTrue(xr.is_end_line("(XEN) Hardware Dom0 halted: halting machine", xr.XEN))
        self.assertTrue(xr.is_end_line("(XEN) Hardware Dom0 crashed: 'noreboot' set", xr.XEN))
        self.assertTrue(xr.is_end_line("(XEN) Manual reset required ('noreboot' specified)",
                                       xr.XEN))
        self.assertFalse(xr.is_end_line("Test result: SUCCESS", xr.XEN))
        self.assertTrue(xr.is_end_line('@asilab {"type":"end","status":"pass"}', xr.ASILAB))
        self.assertFalse(xr.is_end_line('(d0) @asilab {"type":"end"}', xr.ASILAB))

    def test_printable(self):
        self.assertEqual(xr.printable(b"a\tb\x00\xff"), "a b\\x00\\xff")
        self.assertEqual(len(xr.printable("x" * 500)), xr.DETAIL_MAX)

    def test_saved_column(self):
        s = xr.parse_saved("# comment\nexample\tSUCCESS\t\nxsa-7\tCRASH\tPANIC: x\n\n")
        self.assertEqual(s["example"].status, xr.SUCCESS)
        self.assertEqual(s["xsa-7"].detail, "PANIC: x")
        for bad in ("example SUCCESS\n", "example\tPASS\t\n", "\tSUCCESS\t\n"):
            with self.assertRaises(ValueError):
                xr.parse_saved(bad)

    def test_expected_file(self):
        # the saved Xen 4.17 column reads back and matches its header's totals
        with open(os.path.join(os.path.dirname(os.path.realpath(__file__)),
                               "xen-4.17-expected.txt")) as f:
            saved = xr.parse_saved(f.read())
        self.assertEqual(len(saved), 40)
        counts = {st: sum(r.status == st for r in saved.values()) for st in xr.STATUSES}
        self.assertEqual(counts, {xr.SUCCESS: 22, xr.SKIP: 3, xr.FAILURE: 2, xr.ERROR: 1,
                                  xr.CRASH: 12})

    def test_bad_target(self):
        with self.assertRaises(ValueError):
            xr.classify(b"", "kvm")


if __name__ == "__main__":
    unittest.main(verbosity=1)
