#!/usr/bin/env python3
"""Attribute the gateway's CPU during session opens to steps, from a JFR recording (jdk.CPUTimeSample, JDK 25).

usage: open-steps.py rec.jfr [rec2.jfr ...] --windows FILE [FILE2 ...] [--jfr /path/to/jfr] [--top 40]

Each FILE holds opens.js JSON lines, one per round recorded in the recording of the same rank (several recordings
are pooled); only samples inside their open windows (t0..t1) count. Each sample goes to the step of the innermost
frame that matches a rule (leaf to root), else to its thread kind (GC, JIT, other). With the CPU µs per open of the
same lines, the share of each step is printed as µs per open too (the JFR round runs slower than the unprofiled ones:
compare shares, and the µs of the unprofiled rounds).
"""
import argparse
import collections
import datetime
import json
import os
import subprocess
import sys

# (step, frame prefixes); the innermost matching frame decides, so specific JDK work comes before our packages
RULES = [
    ('log lines (JUL)', ('java.util.logging.', 'dev.wsgateway.gateway.observe.AccessLog', 'dev.wsgateway.gateway.observe.LogLineFormatter',
                         'java.util.Formatter', 'java.lang.String.format', 'java.text.')),
    ('metrics', ('io.micrometer.', 'io.helidon.metrics.', 'dev.wsgateway.gateway.observe.GatewayMetrics')),
    ('SecureRandom', ('java.security.SecureRandom', 'sun.security.provider.NativePRNG', 'sun.security.provider.DRBG',
                      'sun.security.provider.SecureRandom', 'sun.security.provider.AbstractDrbg')),
    ('SHA-1 / Base64', ('java.security.MessageDigest', 'sun.security.provider.SHA', 'sun.security.provider.DigestBase',
                        'java.util.Base64')),
    ('regex', ('java.util.regex.',)),
    ('thread start', ('java.lang.Thread.start', 'java.lang.VirtualThread.start', 'java.lang.VirtualThread.submitRunContinuation',
                      'java.lang.ThreadBuilders', 'java.lang.Thread$Builder', 'java.lang.VirtualThread.<init>')),
    ('virtual thread park/unpark', ('java.lang.VirtualThread.park', 'java.lang.VirtualThread.unpark', 'java.lang.VirtualThread.yield',
                                    'jdk.internal.vm.Continuation', 'java.lang.VirtualThread.run', 'java.util.concurrent.ForkJoin')),
    ('TCP connect (upstream)', ('sun.nio.ch.Net.connect', 'sun.nio.ch.SocketChannelImpl.connect', 'sun.nio.ch.NioSocketImpl.connect',
                                'java.net.Socket.connect')),
    ('socket create/close', ('sun.nio.ch.Net.socket', 'sun.nio.ch.NioSocketImpl.create', 'sun.nio.ch.SocketChannelImpl.<init>',
                             'java.net.Socket.close', 'sun.nio.ch.NioSocketImpl.close', 'sun.nio.ch.SocketChannelImpl.close',
                             'sun.nio.ch.SocketDispatcher.close', 'sun.nio.ch.UnixDispatcher.close')),
    ('socket accept', ('sun.nio.ch.Net.accept', 'sun.nio.ch.NioSocketImpl.accept', 'java.net.ServerSocket.accept',
                       'sun.nio.ch.ServerSocketChannelImpl.accept')),
    ('socket read', ('sun.nio.ch.NioSocketImpl.read', 'sun.nio.ch.SocketChannelImpl.read', 'sun.nio.ch.SocketDispatcher.read',
                     'sun.nio.ch.NioSocketImpl.park', 'sun.nio.ch.Poller', 'sun.nio.ch.EPoll')),
    ('socket write', ('sun.nio.ch.NioSocketImpl.write', 'sun.nio.ch.SocketChannelImpl.write', 'sun.nio.ch.SocketDispatcher.write')),
    ('relay session start', ('dev.wsgateway.gateway.relay.',)),
    ('upstream dial (ours)', ('dev.wsgateway.gateway.upstream.',)),
    ('ingress (ours)', ('dev.wsgateway.gateway.ingress.', 'dev.wsgateway.gateway.http.', 'dev.wsgateway.gateway.security.')),
    ('route/discovery/balancing', ('dev.wsgateway.gateway.balancing.', 'dev.wsgateway.gateway.instances.', 'dev.wsgateway.discovery',
                                   'dev.wsgateway.gateway.config.')),
    ('observe (other)', ('dev.wsgateway.gateway.observe.',)),
    ('Helidon WebSocket upgrade', ('io.helidon.webserver.websocket.',)),
    ('Helidon HTTP/1 parsing', ('io.helidon.webserver.http1.', 'io.helidon.http.', 'io.helidon.common.buffers.', 'io.helidon.common.uri.')),
    ('Helidon connection/accept', ('io.helidon.webserver.', 'io.helidon.common.')),
    ('gateway (other)', ('dev.wsgateway.',)),
]


def frame_name(f):
    m = f['method']
    t = m['type']['name'] if isinstance(m.get('type'), dict) else str(m.get('type'))
    return f"{t.replace('/', '.')}.{m['name']}"


def epoch_ms(s):
    # "2026-12-07T13:05:01.123456789Z" (UTC, as jfr print --json writes it)
    head, _, frac = s.rstrip('Z').partition('.')
    dt = datetime.datetime.fromisoformat(head).replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp() * 1000 + int((frac or '0')[:3].ljust(3, '0'))


def gc_cpu_us(jfr, rec):
    out = subprocess.run([jfr, 'print', '--json', '--events', 'jdk.GCCPUTime', rec], capture_output=True, text=True).stdout
    total = 0
    for e in json.loads(out)['recording']['events'] if out else []:
        v = e['values']
        total += sum(float(str(v.get(k, 'PT0S'))[2:-1] or 0) * 1e6 for k in ('userTime', 'systemTime'))  # PT0.01S
    return total


def classify(frames, thread):
    for fn in frames:  # leaf first
        for step, prefixes in RULES:
            if fn.startswith(prefixes):
                return step
    t = thread.lower()
    if 'gc' in t or 'g1' in t or 'vm thread' in t:
        return 'GC / VM'
    if 'compiler' in t:
        return 'JIT'
    if frames:
        return 'JDK (other)'
    return f'no stack ({thread})'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('rec', nargs='+')
    ap.add_argument('--windows', nargs='+', required=True)
    ap.add_argument('--jfr', default='/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr')
    ap.add_argument('--top', type=int, default=40)
    ap.add_argument('--us-per-open', type=float, help='CPU per open to split (default: that of the profiled rounds)')
    a = ap.parse_args()
    steps = collections.Counter()
    incl = collections.Counter()
    leaf = collections.Counter()
    n = 0
    all_ws = []
    gc = 0
    for rec, wfile in zip(a.rec, a.windows):
        ws = [json.loads(line) for line in open(wfile) if line.strip()]
        all_ws += ws
        gc += gc_cpu_us(a.jfr, rec)
        out = subprocess.run([a.jfr, 'print', '--json', '--stack-depth', '96', '--events', 'jdk.CPUTimeSample', rec],
                             check=True, capture_output=True, text=True).stdout
        for e in json.loads(out)['recording']['events']:
            v = e['values']
            t = epoch_ms(v['startTime'])
            if not any(w['t0'] <= t <= w['t1'] for w in ws):
                continue
            frames = [frame_name(f) for f in (v.get('stackTrace') or {}).get('frames', [])]
            th = v.get('eventThread') or v.get('sampledThread') or {}
            tname = th.get('javaName') or th.get('osName') or ''
            n += 1
            steps[classify(frames, tname)] += 1
            if frames:
                leaf[frames[0]] += 1
            for fn in set(frames):
                incl[fn] += 1
    ws = all_ws
    opened = sum(w['opened'] for w in ws)
    us = sum((w.get('cpu_us_per_open') or 0) * w['opened'] for w in ws) / max(opened, 1)
    print(f"## {', '.join(os.path.basename(r) for r in a.rec)}: {n} CPU-time samples in {len(ws)} open windows "
          f"({opened} opens, {us:.0f} µs CPU per open in these profiled rounds; GC threads over the whole recording, "
          f"jdk.GCCPUTime: {gc / max(opened, 1):.0f} µs per open, not in the samples)\n")
    total = a.us_per_open or us
    gc_us = min(gc / max(opened, 1), total)
    print(f'{total:.0f} µs CPU per open split: GC threads (jdk.GCCPUTime) {gc_us:.0f} µs, the rest by the share of the '
          f'samples of Java threads\n')
    print('| step | % of samples | µs per open |\n|---|---|---|')
    for s, c in steps.most_common():
        print(f'| {s} | {100 * c / max(n, 1):.1f} | {(total - gc_us) * c / max(n, 1):.0f} |')
    print(f'| GC threads | | {gc_us:.0f} |')
    print('\n### Inclusive (any frame on the stack)\n\n| % | method |\n|---|---|')
    for fn, c in incl.most_common(a.top):
        print(f'| {100 * c / max(n, 1):.1f} | `{fn}` |')
    print('\n### Self (leaf)\n\n| % | frame |\n|---|---|')
    for fn, c in leaf.most_common(25):
        print(f'| {100 * c / max(n, 1):.1f} | `{fn}` |')


if __name__ == '__main__':
    sys.exit(main())
