"""xtf_result.py: classify one XTF boot's serial log (the parser behind
tests/xtf/run-xtf, kept apart so that tests/xtf/test_xtf_result.py can
feed it fake logs without XTF, QEMU or Xen).

A boot is one XTF test booted as the single domain (dom0), or as a
domU (domain 1) behind a minimal dom0 of asilab's own, either on an
asilab hv variant (the guest's console lines reach COM1 as "(dN) text",
a domU's from its PV console ring) or on Xen 4.17 (dom0's console_io lines reach COM1 as they are, Xen's own
lines start "(XEN) ").  XTF ends every test with exactly one line
"Test result: SUCCESS|SKIP|ERROR|FAILURE" (common/report.c), after the
line that gives the reason.  Everything else is CRASH: a hypervisor
crash dump or panic, the domain crashed, XTF's own panic(), a timeout,
a log without a result line.

The log is hostile (the guest prints what it likes): it is handled as
bytes, decoded as Latin-1 (never fails), and everything that goes into
a table is passed through printable() first.
"""

import re

SUCCESS, SKIP, FAILURE, ERROR, CRASH = "SUCCESS", "SKIP", "FAILURE", "ERROR", "CRASH"
STATUSES = (SUCCESS, SKIP, FAILURE, ERROR, CRASH)
BAD = (FAILURE, ERROR, CRASH)          # any of these: the runner exits 1

ASILAB, XEN = "asilab", "xen"

RESULT_RE = re.compile(r"Test result: (SUCCESS|SKIP|FAILURE|ERROR)( with warnings)?[ \t]*$")
ASILAB_GUEST_FMT = r"\(d%d\) (.*)$"

# Lines from the hypervisor that end a boot as CRASH, whatever the guest
# printed before (the first one found is the detail).
ASILAB_HV_CRASH = (
    re.compile(r"\*\*\* hv (exception|panic).*"),
    re.compile(r"hv: d\d+ \([^)]*\) crashed: .*"),
    # SHUTDOWN_crash (3) and SHUTDOWN_watchdog (4): XTF's panic() ends so
    re.compile(r"hv: d\d+ \([^)]*\) shut down, reason [34]\b.*"),
)
XEN_HV_CRASH = (
    re.compile(r"\(XEN\) Panic on CPU.*"),
    re.compile(r"\(XEN\) (Xen BUG|Assertion|FATAL).*"),
    re.compile(r"\(XEN\) Hardware Dom0 crashed.*"),
    re.compile(r"\(XEN\) Domain 0 crashed.*"),
)

# Lines after which the boot is over: the runner stops QEMU shortly after
# (Xen never exits QEMU by itself; asilab normally does, through
# isa-debug-exit, right after its end record).
ASILAB_END_RE = re.compile(r"(@asilab \{\"type\":\"end\"|\*\*\* hv (exception|panic))")
XEN_END_RE = re.compile(r"\(XEN\) (Hardware Dom0 (halted|shutdown|crashed|rebooted)|"
                        r"Manual reset required|Reboot in five seconds)")

# XTF's banner lines, never a reason
BANNER_RE = re.compile(r"(--- Xen Test Framework ---|Environment: .*)$")
PANIC_RE = re.compile(r"PANIC: .*")

DETAIL_MAX = 160


def printable(text, limit=DETAIL_MAX):
    """text (str or bytes) as printable ASCII: every other byte becomes
    \\xNN, and the result is cut to limit characters ("..." at the end)."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    out = []
    for ch in text:
        o = ord(ch)
        if 0x20 <= o < 0x7f:
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        else:
            out.append("\\x%02x" % (o & 0xff) if o < 0x100 else "?")
    s = "".join(out)
    if limit and len(s) > limit:
        s = s[:limit - 3] + "..."
    return s


def split_lines(data):
    """Serial bytes -> list of str lines (Latin-1, CR and NUL stripped)."""
    if isinstance(data, str):
        data = data.encode("latin-1", "replace")
    text = data.replace(b"\r", b"").replace(b"\0", b"").decode("latin-1")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def guest_lines(lines, target, domid=0):
    """The guest's own console lines, in order (on asilab: domain
    domid's)."""
    out = []
    guest_re = re.compile(ASILAB_GUEST_FMT % domid)
    for line in lines:
        if target == ASILAB:
            m = guest_re.match(line)
            if m:
                out.append(m.group(1))
        elif not line.startswith("(XEN)") and not line.startswith("qemu-system-"):
            out.append(line)
    return out


def is_end_line(line, target):
    """Whether this COM1 line ends the boot (the runner then stops QEMU)."""
    return bool((ASILAB_END_RE if target == ASILAB else XEN_END_RE).match(line))


class Result:
    """One boot's outcome: status (one of STATUSES), detail (printable,
    the reason line or what went wrong), warnings (XTF said "with
    warnings")."""

    def __init__(self, status, detail="", warnings=False):
        self.status = status
        self.detail = printable(detail)
        self.warnings = warnings

    def __repr__(self):
        return "Result(%r, %r)" % (self.status, self.detail)


def classify(data, target, timed_out=False, timeout_s=None, domid=0):
    """Classify one boot's COM1 output (bytes).  target: ASILAB or XEN;
    timed_out: the runner killed QEMU at its timeout (without having seen
    an end line); domid: the XTF domain on asilab (1: booted as a domU)."""
    if target not in (ASILAB, XEN):
        raise ValueError("target must be %r or %r" % (ASILAB, XEN))
    lines = split_lines(data)
    guest = guest_lines(lines, target, domid)

    result = None
    reason = ""
    for i, line in enumerate(guest):
        m = RESULT_RE.match(line)
        if m:
            result = (m.group(1), bool(m.group(2)))
            for prev in reversed(guest[:i]):
                if prev.strip() and not BANNER_RE.match(prev):
                    reason = prev.strip()
                    break
            break                       # the first result line counts

    hv_crash = None
    for line in lines:
        for pat in (ASILAB_HV_CRASH if target == ASILAB else XEN_HV_CRASH):
            if pat.match(line):
                hv_crash = line
                break
        if hv_crash:
            break
    xtf_panic = None
    for i, g in enumerate(guest):
        if PANIC_RE.match(g):
            # XTF's panic(): "PANIC: what", often "Vec N #XX[...]" next
            nxt = guest[i + 1].strip() if i + 1 < len(guest) else ""
            xtf_panic = g + ("; " + nxt if nxt and not nxt.startswith("***") else "")
            break

    if hv_crash:
        detail = hv_crash
        if xtf_panic:
            detail = xtf_panic + " / " + hv_crash
        if result:
            detail = "after Test result: %s: %s" % (result[0], detail)
        return Result(CRASH, detail)
    if timed_out:
        what = "timeout" + (" after %gs" % timeout_s if timeout_s else "")
        if result:
            return Result(CRASH, "%s, after Test result: %s" % (what, result[0]))
        last = guest[-1] if guest else (lines[-1] if lines else "no output")
        return Result(CRASH, "%s; last line: %s" % (what, last))
    if xtf_panic and not result:
        return Result(CRASH, xtf_panic)
    if result:
        keep = result[0] != SUCCESS or result[1]       # the reason, or the warning
        return Result(result[0], reason if keep else "", result[1])
    if not lines:
        return Result(CRASH, "no output")
    last = guest[-1] if guest else lines[-1]
    return Result(CRASH, "no Test result line; last line: %s" % last)


def parse_saved(text):
    """A saved column (run-xtf's COLUMN.txt, e.g. tests/xtf/xen-4.17-expected.txt):
    '# ' comment lines, then 'test<TAB>STATUS<TAB>detail' lines.
    Returns {test: Result}; raises ValueError on a malformed line."""
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2 or parts[1] not in STATUSES or not parts[0]:
            raise ValueError("line %d: expected 'test<TAB>STATUS<TAB>detail'" % n)
        out[parts[0]] = Result(parts[1], parts[2] if len(parts) > 2 else "")
    return out
