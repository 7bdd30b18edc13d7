#!/usr/bin/env node
// Session-open cost: opens N WebSocket sessions (C handshakes outstanding), keeps them open, then closes them all.
// Only the open phase is measured: CPU of the proxy process (/proc utime+stime) per open, opens per second, and
// (--perf) the proxy's syscalls per open with `perf stat -e raw_syscalls:sys_enter` attached for that phase only.
// Prints one JSON line with the epoch-ms window of the open phase (to cut a JFR recording to it).
//
//   node lib/opens.js --url ws://127.0.0.1:9314/ws/v1/echo/o --conns 2000 --concurrency 150 --proxy-pid 123 [--perf]
//   --perf-by-call: syscalls per open by system call (syscalls:sys_enter_* tracepoints) instead of their total
// Bounded: the whole run ends within 120 s.
'use strict';
const fs = require('fs');
const { execSync, spawn } = require('child_process');
const WebSocket = require('ws');

const a = {};
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i].replace(/^--/, '');
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) a[k] = true; else { a[k] = v; i++; }
}
const url = a.url;
const n = Number(a.conns || 2000);
const conc = Number(a.concurrency || 150);
const pid = a['proxy-pid'] ? Number(a['proxy-pid']) : null;
const HZ = Number(execSync('getconf CLK_TCK').toString()) || 100;
setTimeout(() => { process.stdout.write(JSON.stringify({ ok: false, error: 'timeout' }) + '\n'); process.exit(2); }, 120000).unref();

function ticks(p) {
  if (!p) return 0;
  const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 15000 });
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('open', () => { ws.removeAllListeners('error'); ws.on('error', () => {}); resolve(ws); });
  });
}
function perfStart() {
  if (!(a.perf || a['perf-by-call']) || !pid) return null;
  const events = a['perf-by-call'] ? 'syscalls:sys_enter_*' : 'raw_syscalls:sys_enter';
  const p = spawn('perf', ['stat', '-x', ',', '-e', events, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  return { p, done: new Promise((r) => p.on('exit', () => r(err))) };
}

(async () => {
  const perf = perfStart();
  if (perf) await new Promise((r) => setTimeout(r, a["perf-by-call"] ? 1500 : 300)); // perf attached before the first open
  const socks = [];
  let failed = 0;
  const c0 = ticks(pid);
  const t0 = Date.now();
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(conc, n) }, async () => {
    while (i < n) {
      i++;
      try { socks.push(await open()); } catch (_) { failed++; }
    }
  }));
  const t1 = Date.now();
  const c1 = ticks(pid);
  let syscalls = null;
  let byCall;
  if (perf) {
    perf.p.kill('SIGINT');
    const out = await perf.done;
    let total = 0;
    byCall = {};
    for (const m of out.matchAll(/^(\d+),,(?:raw_syscalls:sys_enter|syscalls:sys_enter_(\w+))/mg)) {
      total += Number(m[1]);
      if (m[2] && Number(m[1]) > 0) byCall[m[2]] = Number(m[1]);
    }
    syscalls = total || null;
  }
  const opened = socks.length;
  await new Promise((resolve) => {
    let left = socks.length;
    if (!left) resolve();
    for (const ws of socks) { ws.once('close', () => { if (--left === 0) resolve(); }); ws.close(1000, 'done'); }
    setTimeout(resolve, 20000);
  });
  process.stdout.write(JSON.stringify({
    ok: failed === 0, conns: n, opened, failed, t0, t1,
    open_per_s: Math.round(opened / ((t1 - t0) / 1000)),
    cpu_us_per_open: pid && opened ? Math.round(((c1 - c0) / HZ) * 1e6 / opened) : null,
    syscalls_per_open: syscalls != null && opened ? Math.round((syscalls / opened) * 10) / 10 : null,
    syscalls_by_call: a['perf-by-call'] && opened ? Object.fromEntries(Object.entries(byCall)
      .sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, Math.round((v / opened) * 100) / 100])) : undefined,
  }) + '\n');
  process.exit(0);
})();
