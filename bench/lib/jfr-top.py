#!/usr/bin/env python3
"""Aggregate a JFR recording: hot frames (self and inclusive), hot packages, allocation by class and site,
bytes allocated per relayed message, pinning/contention counts.

usage: jfr-top.py recording.jfr [--msgs N] [--top 25] [--jfr /path/to/jfr]
--msgs: messages relayed during the recording (echoes x 2), to print allocation per message.
"""
import argparse
import collections
import json
import os
import subprocess
import sys


def events(jfr, rec, names):
    out = subprocess.run([jfr, 'print', '--json', '--stack-depth', '64', '--events', ','.join(names), rec],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)['recording']['events']


def frame_name(f):
    m = f['method']
    t = m['type']['name'] if isinstance(m.get('type'), dict) else str(m.get('type'))
    return f"{t.replace('/', '.')}.{m['name']}"


def pkg(name):
    parts = name.split('.')
    cls = [p for p in parts[:-1] if p and not p[0].isupper()]
    return '.'.join(cls[:4]) if cls else name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('rec')
    ap.add_argument('--msgs', type=float, default=0)
    ap.add_argument('--top', type=int, default=25)
    ap.add_argument('--jfr', default=os.path.join(os.path.dirname(os.path.realpath(sys.executable)), 'jfr'))
    a = ap.parse_args()
    jfr = a.jfr if os.path.exists(a.jfr) else '/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr'

    kinds = {}
    for kind in ('jdk.CPUTimeSample', 'jdk.ExecutionSample', 'jdk.NativeMethodSample'):
        kinds[kind] = events(jfr, a.rec, [kind])
    # CPU-time samples (JDK 25, Linux) cover Java and native/kernel time of every thread; prefer them
    kind = 'jdk.CPUTimeSample' if len(kinds['jdk.CPUTimeSample']) >= 200 else 'jdk.ExecutionSample'
    samples = kinds[kind]
    n = max(1, len(samples))
    self_c = collections.Counter()
    incl_c = collections.Counter()
    pkg_c = collections.Counter()
    thread_c = collections.Counter()
    for e in samples:
        st = e['values'].get('stackTrace') or {}
        frames = [frame_name(f) for f in st.get('frames', [])]
        if not frames:
            continue
        self_c[frames[0]] += 1
        pkg_c[pkg(frames[0])] += 1
        for fn in set(frames):
            incl_c[fn] += 1
        th = e['values'].get('sampledThread') or e['values'].get('eventThread') or {}
        tname = (th.get('javaName') or th.get('osName') or ('virtual' if th.get('virtual') else '?'))
        tname = ''.join(ch if not ch.isdigit() else '#' for ch in tname)
        thread_c[tname.split('#')[0].rstrip('-') or tname] += 1
    counts = ', '.join(f'{k}: {len(v)}' for k, v in kinds.items())
    print(f'## {os.path.basename(a.rec)}: aggregated {kind} ({counts})\n')
    print('### Top frames (self time)\n\n| % | frame |\n|---|---|')
    for fn, c in self_c.most_common(a.top):
        print(f'| {100 * c / n:.1f} | `{fn}` |')
    print('\n### Top methods (inclusive)\n\n| % | method |\n|---|---|')
    for fn, c in incl_c.most_common(a.top + 10):
        print(f'| {100 * c / n:.1f} | `{fn}` |')
    print('\n### Self time by package\n\n| % | package |\n|---|---|')
    for p, c in pkg_c.most_common(12):
        print(f'| {100 * c / n:.1f} | `{p}` |')
    print('\n### Samples by thread kind\n\n| % | thread |\n|---|---|')
    for t, c in thread_c.most_common(8):
        print(f'| {100 * c / n:.1f} | `{t}` |')

    alloc = events(jfr, a.rec, ['jdk.ObjectAllocationSample'])
    by_cls = collections.Counter()
    by_site = collections.Counter()
    by_caller = collections.Counter()
    total = 0
    for e in alloc:
        v = e['values']
        w = v.get('weight', 0)
        total += w
        oc = v.get('objectClass') or {}
        by_cls[oc.get('name', '?')] += w
        frames = [frame_name(f) for f in (v.get('stackTrace') or {}).get('frames', [])]
        site = next((f for f in frames if not f.startswith(('java.', 'jdk.', 'sun.'))), frames[0] if frames else '?')
        caller = next((f for f in frames if f.startswith(('dev.', 'io.helidon'))), '?')
        by_caller[caller] += w
        by_site[site] += w
    print(f'\n### Allocation (jdk.ObjectAllocationSample weights): {total / 1048576:.1f} MiB sampled')
    stats = events(jfr, a.rec, ['jdk.ThreadAllocationStatistics'])
    per_thread = {}
    for e in stats:
        v = e['values']
        tid = (v.get('thread') or {}).get('javaThreadId') or (v.get('thread') or {}).get('osThreadId')
        lo, hi = per_thread.get(tid, (v['allocated'], v['allocated']))
        per_thread[tid] = (min(lo, v['allocated']), max(hi, v['allocated']))
    exact = sum(hi - lo for lo, hi in per_thread.values())
    print(f'jdk.ThreadAllocationStatistics (platform threads and carriers incl. their virtual threads): '
          f'{exact / 1048576:.1f} MiB over the recording')
    if a.msgs:
        print(f'\n**Allocation per relayed message: {total / a.msgs:.0f} B (sampled weights), '
              f'{exact / a.msgs:.0f} B (thread statistics); {a.msgs:.0f} messages relayed**')
    print('\n| % | class |\n|---|---|')
    for c, w in by_cls.most_common(10):
        print(f'| {100 * w / max(total, 1):.1f} | `{c}` |')
    print('\n| % | first non-JDK allocation site |\n|---|---|')
    for s, w in by_site.most_common(10):
        print(f'| {100 * w / max(total, 1):.1f} | `{s}` |')

    print('\n| % | first gateway/Helidon frame of the allocation |\n|---|---|')
    for s, w in by_caller.most_common(10):
        print(f'| {100 * w / max(total, 1):.1f} | `{s}` |')

    other = events(jfr, a.rec, ['jdk.VirtualThreadPinned', 'jdk.JavaMonitorEnter', 'jdk.ThreadPark',
                                'jdk.GarbageCollection', 'jdk.SocketRead', 'jdk.SocketWrite'])
    cnt = collections.Counter(e['type'] for e in other)
    print('\n### Other events (counts over the recording; thresholds as in the "profile" settings)\n')
    for k, c in sorted(cnt.items()):
        print(f'- {k}: {c}')


if __name__ == '__main__':
    main()
