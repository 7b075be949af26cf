#!/usr/bin/python3
"""readme-figures.py [--check] RESULTS.json README.md: the README's figure
tables (per-variant costs, every op, +stashed_l1, +sparse, Xen beside the
model) are the lean medians of a result set's results.json, formatted as
the tables have them.  Without --check README.md is rewritten in place;
with it nothing is written and the exit status is 1 if a row differs.
Each changed row is printed (- old, + new)."""
import json, re, sys
check = len(sys.argv) > 1 and sys.argv[1] == '--check'
if check:
    del sys.argv[1]
if len(sys.argv) != 3:
    print('usage: readme-figures.py [--check] RESULTS.json README.md', file=sys.stderr)
    sys.exit(2)
try:
    res = {b['name']: b['median'] for b in json.load(open(sys.argv[1]))['benchmarks']}
    lines = open(sys.argv[2]).read().split('\n')
except (OSError, ValueError, KeyError, TypeError) as e:
    print('readme-figures.py: %s' % e, file=sys.stderr)
    sys.exit(1)
def val(op, var):
    if op + '/' + var not in res:
        print('readme-figures.py: %s has no %s/%s, which the README shows' % (sys.argv[1], op, var),
              file=sys.stderr)
        sys.exit(1)
    return res[op + '/' + var]
def fmt(x, like):
    dec = len(like.split('.')[1]) if '.' in like else 0
    return ('{:,.%df}' % dec).format(x)
NUM = r'[0-9][0-9,]*(?:\.[0-9]+)?'
words = {
    'null hypercall': 'hypercall/null_hypercall',
    'null syscall (own user L4)': 'syscall/null_syscall',
    'null syscall (shared L4)': 'syscall/null_syscall_shared_l4',
    'switch, same domain': 'ctxsw/yield_same_domain',
    'switch, cross domain': 'ctxsw/yield_cross_domain',
    'wake across pCPUs': 'ctxsw/wake_cross_pcpu',
    'set_gdt (1 frame)': 'gdt_ldt/set_gdt_1',
    'set_gdt (14 frames)': 'gdt_ldt/set_gdt_14',
    'update_descriptor': 'gdt_ldt/update_descriptor',
    'SET_LDT': 'gdt_ldt/set_ldt',
    'LDT first touch': 'gdt_ldt/ldt_first_touch',
    'local TLB flush': 'flush/tlb_flush_local',
    'mmu_update L1': 'flush/mmu_update_l1',
    'mmu_update L4': 'flush/mmu_update_l4',
    'mmu_update L4 (root refresh)': 'flush/mmu_update_l4',
    'live L4 update, remote': 'flush/mmu_update_l4_remote_live',
    'remote flush (1 pCPU)': 'flush/flush_remote_1',
    'CLEAR_PAGE x32': 'flush/clear_pages_32',
    'CLEAR_PAGE ×32': 'flush/clear_pages_32',
    'procswitch (8 pages)': 'procswitch/procswitch_8',
    'grant map+unmap': 'gnttab/map_unmap',
    'grant copy 4 KiB': 'gnttab/copy_4k',
}
XOFF, XON = 'xen-4.17:xpti=dom0=false', 'xen-4.17:xpti=dom0=true'
out, header, kind, changes = [], None, None, 0
for l in lines:
    cells = l.split('|')[1:-1] if l.startswith('|') else None
    if cells is None:
        header = kind = None
        out.append(l); continue
    c = [x.strip() for x in cells]
    if header is None:
        header = c
        if c[0] == 'variant' and c[1] == 'null hypercall': kind = 'A'
        elif c[0] == 'workload/op': kind = 'B'
        elif c[0] == 'strategy' and c[1] == 'switch, same domain': kind = 'C'
        elif c[0] == 'strategy' and c[1] == 'null hypercall': kind = 'D'
        elif c[0] == 'op' and c[3:5] == ['Xen xpti off', 'Xen xpti on']: kind = 'X'
        out.append(l); continue
    if kind is None or set(l) <= set('|-'):
        out.append(l); continue
    new = list(c)
    row = c[0].strip('`')
    for i in range(1, len(c)):
        h = header[i]
        if kind == 'A':
            m = re.match(r'(' + NUM + r')( / .*)', c[i])
            new[i] = fmt(val(words[h], row), m.group(1)) + m.group(2)
        elif kind == 'B':
            if h.endswith('events/op'): continue
            new[i] = fmt(val(row, h), c[i])
        elif kind in 'CD':
            m = re.match(r'(' + NUM + r') / (' + NUM + r') \(\+(' + NUM + r')(.*)\)$', c[i])
            other = row + ('+stashed_l1' if kind == 'C' else '+sparse')
            # C: Xen 4.17's stashed L1 is the cheaper side, so the
            # difference is the series' cost; D: +sparse's own cost
            x, y = val(words[h], row), val(words[h], other)
            new[i] = '%s / %s (+%s%s)' % (fmt(x, m.group(1)), fmt(y, m.group(2)),
                                           fmt(x - y if kind == 'C' else y - x, m.group(3)), m.group(4))
    if kind == 'X':
        op = words[row]
        s, p, xo, xn = val(op, 'shared_l4'), val(op, 'per_pcpu_l4'), val(op, XOFF), val(op, XON)
        for i, v in zip((1, 2, 3, 4), (s, p, xo, xn)):
            new[i] = fmt(v, c[i])
        if c[5] != '—':
            new[5] = '%.2f, %.2f' % (s / xo, p / xn)
        new[6] = '%s / %s' % (fmt(p - s, '0'), fmt(xn - xo, '0'))
    if new != c:
        changes += 1
        print('-', l); l = '| ' + ' | '.join(new) + ' |'; print('+', l)
    out.append(l)
if check:
    print('%d rows differ from %s' % (changes, sys.argv[1]) if changes else 'ok: README figure tables')
    sys.exit(1 if changes else 0)
open(sys.argv[2], 'w').write('\n'.join(out))
print(changes, 'rows changed', file=sys.stderr)
