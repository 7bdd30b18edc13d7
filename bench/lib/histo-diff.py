#!/usr/bin/env python3
"""Difference of two `jcmd <pid> GC.class_histogram` outputs, per session.

usage: histo-diff.py before.txt after.txt SESSIONS [--top 20]
Both histograms are taken after a full GC (GC.class_histogram forces one), so they count live objects.
"""
import re
import sys


def read(path):
    out = {}
    for line in open(path):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', line)
        if m:
            n, b, cls = int(m.group(1)), int(m.group(2)), m.group(3)
            pn, pb = out.get(cls, (0, 0))
            out[cls] = (pn + n, pb + b)
    return out


def main():
    before, after, n = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
    top = int(sys.argv[sys.argv.index('--top') + 1]) if '--top' in sys.argv else 20
    rows = []
    for cls in set(before) | set(after):
        bn, bb = before.get(cls, (0, 0))
        an, ab = after.get(cls, (0, 0))
        rows.append((ab - bb, an - bn, cls))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    print(f'Live heap delta: {total / 1048576:.1f} MiB for {n} sessions = **{total / n / 1024:.2f} KiB per session**\n')
    print('| bytes/session | objects/session | class |\n|---|---|---|')
    for db, dn, cls in rows[:top]:
        print(f'| {db / n:.0f} | {dn / n:.2f} | `{cls}` |')


if __name__ == '__main__':
    main()
