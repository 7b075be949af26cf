#!/usr/bin/env python3
"""fake-xtf-qemu.py: stands in for qemu-system-x86_64 in test_run_xtf.py.
The module (-initrd, first word) is a fake XTF test whose first line
names a scenario; the -kernel is asilab (hv-*.elf: guest lines as
"(d0) ...", exits like isa-debug-exit) or Xen (xen*.elf: guest lines as
they are, and, like Xen, never exits after dom0 ends).
  success skip failure error warn  XTF's result (with a reason line)
  cmdline   SUCCESS if the module line carries "vmassist", else FAILURE
  panic     XTF's panic(): the domain crashes
  hvcrash   the hypervisor crashes (crash dump / Xen panic)
  hang      prints the banner, then hangs
  garbage   hostile bytes in the reason line, then FAILURE
  silent    prints nothing, exits
Two modules (-initrd "DOM0,TEST"): the test is the second, a domU
("(d1) ..."), after a line of the first as dom0.
FAKE_QEMU_LOG: append the argv (one per line, then "--").
FAKE_QEMU_PIDFILE: append this process's pid when it starts to hang."""

import os
import sys
import time

argv = sys.argv[1:]
if argv[:1] == ["--version"]:
    print("QEMU emulator version 7.2.99 (asilab fake)")
    sys.exit(0)
if os.environ.get("FAKE_QEMU_LOG"):
    with open(os.environ["FAKE_QEMU_LOG"], "a") as f:
        f.write("\n".join(argv) + "\n--\n")

kernel = argv[argv.index("-kernel") + 1]
modules = argv[argv.index("-initrd") + 1].split(",")
module = modules[-1]
domid = len(modules) - 1
xen = os.path.basename(kernel).startswith("xen")
with open(module.split(" ")[0], "rb") as f:
    scenario = f.read().split(b"\n")[0].decode()

out = sys.stdout.buffer


def emit(*lines, guest=True):
    for line in lines:
        if isinstance(line, str):
            line = line.encode()
        if guest and not xen:
            line = b"(d%d) " % domid + line
        out.write(line + b"\r\n")
    out.flush()


def hang():
    if os.environ.get("FAKE_QEMU_PIDFILE"):
        with open(os.environ["FAKE_QEMU_PIDFILE"], "a") as f:
            f.write("%d\n" % os.getpid())
    while True:
        time.sleep(60)


def finish(crashed=False):
    if xen:
        emit("(XEN) Hardware Dom0 %s" % ("crashed: 'noreboot' set - not rebooting."
                                         if crashed else "halted: halting machine"),
             guest=False)
        hang()                          # Xen does not exit QEMU
    emit("hv: d%d (fake) %s" % (domid, "shut down, reason 3" if crashed else "shut down, reason 0"),
         '@asilab {"type":"end","status":"%s"}' % ("fail" if crashed else "pass"), guest=False)
    sys.exit(3 if crashed else 1)


if scenario == "silent":
    sys.exit(1)
emit("(XEN) Xen version 4.17 (fake)" if xen else "asilab hv: variant fake", guest=False)
if domid:
    emit("(d0) console: dom0 ok", guest=False)
emit("--- Xen Test Framework ---", "Environment: PV 64bit (Long mode 4 levels)")
results = {"success": ("Hello World", "SUCCESS"), "skip": ("Skip: no such feature", "SKIP"),
           "failure": ("Fail: wrong answer", "FAILURE"), "error": ("Error: bad setup", "ERROR"),
           "warn": ("Warning: odd", "SUCCESS with warnings")}
if scenario in results:
    reason, res = results[scenario]
    emit(reason, "Test result: " + res)
    finish()
elif scenario == "cmdline":
    ok = " vmassist" in module
    emit("cmdline: " + module.split(" ", 1)[-1], "Test result: " + ("SUCCESS" if ok else "FAILURE"))
    finish()
elif scenario == "panic":
    emit("*" * 30, "PANIC: Unhandled exception at e033:0000000000104005",
         "Vec 13 #GP[IDT[64]]", "*" * 30)
    finish(crashed=True)
elif scenario == "hvcrash":
    if xen:
        emit("(XEN) Panic on CPU 0:", "(XEN) FATAL TRAP: vec 14",
             "(XEN) Manual reset required ('noreboot' specified)", guest=False)
        hang()
    emit("", "*** hv exception #PF (vector 14) on CPU apic 0, error code 0x2",
         "RIP e008:ffff82d040001234 RFLAGS 0000000000010002", guest=False)
    sys.exit((0x2e << 1) | 1)
elif scenario == "hang":
    emit("Test: spinning")
    hang()
elif scenario == "garbage":
    emit(b"\xff\xfe\x1b[2J\x9b$(touch GARBAGE_RAN)`touch GARBAGE_RAN`\xc3\x28\x07",
         "Test result: FAILURE")
    finish()
else:
    emit("unknown fake scenario")
    sys.exit(1)
