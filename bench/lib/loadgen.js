#!/usr/bin/env node
// Closed-loop WebSocket load generator (Node 'ws' client). One invocation = one scenario against one target;
// it prints one JSON line on stdout and always ends within a hard time limit.
//
//   node lib/loadgen.js --target gateway --url ws://127.0.0.1:9104/ws/v1/echo/b --mode load \
//        --conns 50 --inflight 16 --size 1024 --binary --duration 8 --warmup 2 --proxy-pid 123 --upstream-pid 45
//   node lib/loadgen.js ... --mode capacity --conns 5000 --open-concurrency 200 --sample 100
//   node lib/loadgen.js ... --mode check
//
// load:     conns x inflight messages outstanding (a new one is sent per echo); msgs/s, MiB/s, RTT percentiles.
// capacity: open N connections (open-concurrency handshakes at a time), wait, measure proxy RSS/PSS/fds,
//           echo 64 B on a spread sample, close all.
// CPU is read from /proc (utime+stime) for the proxy process tree, the upstream and this process over the window;
// other_pct = whole machine busy minus these three, i.e. load from unrelated processes.
'use strict';
const fs = require('fs');
const { execSync } = require('child_process');
const { performance } = require('perf_hooks');
const WebSocket = require('ws');

function args(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (name === 'binary' || name === 'text') { out.binary = name === 'binary'; continue; }
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[name] = true;
    else { out[name] = next; i++; }
  }
  return out;
}
const a = args(process.argv);
const cfg = {
  target: a.target || 'target',
  tag: a.tag || a.mode || 'load',
  round: a.round !== undefined ? Number(a.round) : null,
  url: a.url || 'ws://127.0.0.1:9001/ws/v1/echo/bench',
  mode: a.mode || 'load',
  conns: Number(a.conns || 1),
  inflight: Number(a.inflight || 1),
  size: Number(a.size || 64),
  binary: !!a.binary,
  duration: Number(a.duration || 8),
  warmup: Number(a.warmup || 2),
  proxyPids: String(a['proxy-pid'] && a['proxy-pid'] !== true ? a['proxy-pid'] : '').split(',').filter(Boolean).map(Number),
  upstreamPid: a['upstream-pid'] ? Number(a['upstream-pid']) : null,
  openConcurrency: Number(a['open-concurrency'] || 200),
  sample: Number(a.sample || 100),
  settle: Number(a.settle || 2),
  atN: a['at-n'] && a['at-n'] !== true ? String(a['at-n']) : null, // shell command run with all N sessions open
};
const MAX_SAMPLES = 2_000_000;

// ---- /proc accounting ----
const HZ = (() => { try { return Number(execSync('getconf CLK_TCK').toString()) || 100; } catch (_) { return 100; } })();
function childrenOf(pid) {
  const kids = [];
  let tids = [];
  try { tids = fs.readdirSync(`/proc/${pid}/task`); } catch (_) { return kids; }
  for (const tid of tids) {
    try {
      const s = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (s) kids.push(...s.split(/\s+/).map(Number));
    } catch (_) {}
  }
  return kids;
}
function processTree(roots) {
  const seen = new Set();
  const todo = roots.slice();
  while (todo.length) {
    const p = todo.pop();
    if (seen.has(p) || !fs.existsSync(`/proc/${p}`)) continue;
    seen.add(p);
    todo.push(...childrenOf(p));
  }
  return [...seen];
}
function ticksOf(pids) {
  let sum = 0;
  for (const p of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sum += Number(fields[11]) + Number(fields[12]);
    } catch (_) {}
  }
  return sum;
}
function statusField(pids, field) {
  let sum = 0;
  for (const p of pids) {
    try {
      const m = fs.readFileSync(`/proc/${p}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+)`, 'm'));
      if (m) sum += Number(m[1]);
    } catch (_) {}
  }
  return sum;
}
function pss(pids) {
  let sum = 0;
  for (const p of pids) {
    try { sum += Number((fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+)/m) || [0, 0])[1]); } catch (_) {}
  }
  return sum;
}
function fds(pids) {
  let sum = 0;
  for (const p of pids) { try { sum += fs.readdirSync(`/proc/${p}/fd`).length; } catch (_) {} }
  return sum;
}
function machine() {
  const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: v[0] + v[1] + v[2] + v[5] + v[6], steal: v[7] || 0 };
}
function snapshot() {
  const u = process.cpuUsage();
  return {
    t: performance.now(),
    proxy: ticksOf(processTree(cfg.proxyPids)),
    upstream: cfg.upstreamPid ? ticksOf([cfg.upstreamPid]) : 0,
    self: ((u.user + u.system) / 1e6) * HZ,
    m: machine(),
  };
}
function cpu(s0, s1, msgs) {
  const secs = (s1.t - s0.t) / 1000;
  const pct = (ticks) => Math.round((1000 * ticks) / HZ / secs) / 10; // % of one core
  const proxy = s1.proxy - s0.proxy;
  const upstream = s1.upstream - s0.upstream;
  const self = s1.self - s0.self;
  const busy = s1.m.busy - s0.m.busy;
  const r = {
    proxy_pct: cfg.proxyPids.length ? pct(proxy) : null,
    upstream_pct: pct(upstream),
    loadgen_pct: pct(self),
    machine_pct: pct(busy),
    other_pct: pct(Math.max(0, busy - proxy - upstream - self)),
    steal_pct: pct(s1.m.steal - s0.m.steal),
  };
  if (msgs) {
    // one echoed message = two relayed messages (client->upstream, upstream->client)
    r.proxy_us_per_msg = cfg.proxyPids.length ? Math.round((proxy / HZ) * 1e8 / msgs) / 100 : null;
    r.upstream_us_per_msg = Math.round((upstream / HZ) * 1e8 / msgs) / 100;
  }
  return r;
}

// ---- result line ----
let done = false;
function report(obj) {
  if (done) return;
  done = true;
  const head = { ts: new Date().toISOString(), target: cfg.target, scenario: cfg.tag, mode: cfg.mode, round: cfg.round };
  process.stdout.write(JSON.stringify({ ...head, ...obj }) + '\n');
}

// ---- connections ----
function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 15000, maxPayload: 16 * 1024 * 1024, skipUTF8Validation: true });
    ws.binaryType = 'nodebuffer';
    const fail = (e) => { ws.removeAllListeners(); try { ws.terminate(); } catch (_) {} reject(e); };
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once('open', () => { ws.removeListener('error', fail); ws.on('error', () => {}); resolve(ws); });
  });
}
async function openAll(n, parallel, ok, ko) {
  let i = 0;
  const worker = async () => {
    while (i < n) {
      const k = i++;
      try { ok(k, await open(cfg.url)); } catch (e) { ko(k, e); }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
}
function closeAll(list, ms) {
  return new Promise((resolve) => {
    let left = 0;
    const t0 = performance.now();
    const finish = () => resolve({ close_s: Math.round(performance.now() - t0) / 1000, not_closed: left });
    const timer = setTimeout(() => { for (const ws of list) if (ws && ws.readyState !== WebSocket.CLOSED) ws.terminate(); finish(); }, ms);
    for (const ws of list) {
      if (!ws || ws.readyState === WebSocket.CLOSED) continue;
      left++;
      ws.once('close', () => { if (--left === 0) { clearTimeout(timer); finish(); } });
      ws.close(1000, 'bench done');
    }
    if (left === 0) { clearTimeout(timer); finish(); }
  });
}

// ---- latency samples: fixed array, reservoir sampling beyond it ----
class Rtt {
  constructor(cap) { this.v = new Float64Array(cap); this.n = 0; this.count = 0; this.max = 0; this.sum = 0; }
  add(x) {
    this.count++; this.sum += x; if (x > this.max) this.max = x;
    if (this.n < this.v.length) this.v[this.n++] = x;
    else { const j = Math.floor(Math.random() * this.count); if (j < this.v.length) this.v[j] = x; }
  }
  stats() {
    if (!this.n) return null;
    const s = this.v.slice(0, this.n).sort();
    const at = (q) => s[Math.min(this.n - 1, Math.max(0, Math.ceil(q * this.n) - 1))];
    const r = (x) => Math.round(x * 1000) / 1000;
    return { p50: r(at(0.5)), p99: r(at(0.99)), p999: r(at(0.999)), max: r(this.max), mean: r(this.sum / this.count), n: this.count };
  }
}

// payload: bytes 0-3 sequence number (hex text for text frames), 4-7 connection id, rest filler
function payloadFor(id) {
  const p = Buffer.alloc(Math.max(8, cfg.size), 0x62);
  p.writeUInt32LE(id, 4);
  return p;
}
function setSeq(p, seq) {
  if (cfg.binary) p.writeUInt32LE(seq >>> 0, 0);
  else p.write((seq >>> 0).toString(16).padStart(8, '0'), 0, 8, 'latin1');
}
function getSeq(p) {
  return cfg.binary ? p.readUInt32LE(0) : parseInt(p.toString('latin1', 0, 8), 16);
}

async function load() {
  const socks = [];
  const failures = [];
  await openAll(cfg.conns, 64, (i, ws) => { socks[i] = ws; }, (_i, e) => failures.push(String(e.message || e)));
  if (failures.length) {
    report({ ok: false, error: `${failures.length}/${cfg.conns} connects failed: ${failures[0]}` });
    await closeAll(socks.filter(Boolean), 5000);
    return 2;
  }
  const rtt = new Rtt(MAX_SAMPLES);
  const errors = { mismatch: 0, closed: 0, lost: 0 };
  let phase = 'warmup';
  let t0 = Infinity; let t1 = Infinity;
  let msgs = 0; let bytes = 0; let outstanding = 0;
  let drained = null;
  socks.forEach((ws, id) => {
    const p = payloadFor(id);
    const sentAt = new Float64Array(cfg.inflight);
    let head = 0; let tail = 0; let sent = 0; let received = 0;
    const send = () => {
      setSeq(p, sent++);
      sentAt[tail] = performance.now(); tail = (tail + 1) % cfg.inflight;
      outstanding++;
      ws.send(p, { binary: cfg.binary, compress: false });
    };
    ws.on('message', (m, isBinary) => {
      const now = performance.now();
      const st = sentAt[head]; head = (head + 1) % cfg.inflight;
      outstanding--;
      if (isBinary !== cfg.binary || m.length !== p.length || getSeq(m) !== (received >>> 0)) errors.mismatch++;
      received++;
      if (phase === 'measure' && now >= t0) { msgs++; bytes += m.length; if (st >= t0) rtt.add(now - st); }
      if (phase === 'drain') { if (outstanding === 0 && drained) drained(); return; }
      send();
    });
    ws.on('close', () => { if (phase !== 'done') errors.closed++; });
    ws.kick = () => { for (let k = 0; k < cfg.inflight; k++) send(); };
  });
  socks.forEach((ws) => ws.kick());
  await sleep(cfg.warmup * 1000);
  const s0 = snapshot();
  t0 = performance.now();
  phase = 'measure';
  await sleep(cfg.duration * 1000);
  phase = 'drain';
  t1 = performance.now();
  const s1 = snapshot();
  if (outstanding > 0) await new Promise((r) => { drained = r; setTimeout(r, 10000); });
  errors.lost = outstanding;
  phase = 'done';
  const secs = (t1 - t0) / 1000;
  const tree = processTree(cfg.proxyPids);
  const res = {
    ok: msgs > 0 && errors.mismatch + errors.closed + errors.lost === 0,
    conns: cfg.conns, inflight: cfg.inflight, size: cfg.size, binary: cfg.binary, duration_s: Math.round(secs * 1000) / 1000,
    msgs, msgs_per_s: Math.round(msgs / secs), mib_per_s: Math.round((bytes / secs / 1048576) * 100) / 100,
    rtt_ms: rtt.stats(), errors, cpu: cpu(s0, s1, msgs),
    proxy_rss_kib: cfg.proxyPids.length ? statusField(tree, 'VmRSS') : null,
  };
  report(res);
  await closeAll(socks, 10000);
  return res.ok ? 0 : 1;
}

async function capacity() {
  const n = cfg.conns;
  const tree0 = processTree(cfg.proxyPids);
  const rss0 = cfg.proxyPids.length ? statusField(tree0, 'VmRSS') : null;
  const socks = new Array(n);
  const reasons = {};
  let opened = 0; let failed = 0;
  const s0 = snapshot();
  const t0 = performance.now();
  let tLast = t0;
  await openAll(n, cfg.openConcurrency,
    (i, ws) => { socks[i] = ws; opened++; tLast = performance.now(); },
    (_i, e) => { failed++; const k = String(e.code || e.message || e).slice(0, 80); reasons[k] = (reasons[k] || 0) + 1; });
  const s1 = snapshot();
  const openSecs = (tLast - t0) / 1000;
  await sleep(cfg.settle * 1000);
  const live = socks.filter((ws) => ws && ws.readyState === WebSocket.OPEN);
  const tree = processTree(cfg.proxyPids);
  const rss = cfg.proxyPids.length ? statusField(tree, 'VmRSS') : null;
  const pssN = cfg.proxyPids.length ? pss(tree) : null;
  const fdN = cfg.proxyPids.length ? fds(tree) : null;
  let atN;
  if (cfg.atN) {
    try { atN = execSync(cfg.atN, { shell: '/bin/bash', timeout: 60000 }).toString().trim().slice(-2000); } catch (e) { atN = `failed: ${String(e.message).slice(0, 200)}`; }
  }
  const k = Math.min(cfg.sample, live.length);
  let echoed = 0;
  const rtt = new Rtt(Math.max(1, k));
  await Promise.all(Array.from({ length: k }, (_x, j) => new Promise((resolve) => {
    const ws = live[Math.floor((j * live.length) / k)];
    const msg = Buffer.from(`probe-${j}-`.padEnd(64, 'q'));
    const st = performance.now();
    const timer = setTimeout(resolve, 10000);
    ws.once('message', (m) => { if (Buffer.compare(m, msg) === 0) { echoed++; rtt.add(performance.now() - st); } clearTimeout(timer); resolve(); });
    ws.send(msg);
  })));
  const closing = await closeAll(live, 30000);
  const c = cpu(s0, s1, 0);
  const res = {
    ok: opened === n && failed === 0 && live.length === n && echoed === k,
    conns: n, opened, failed, reasons: failed ? reasons : undefined,
    open_s: Math.round(openSecs * 1000) / 1000, open_per_s: Math.round(opened / openSecs),
    live_after_settle: live.length,
    proxy_rss_kib_before: rss0, proxy_rss_kib_at_n: rss, proxy_pss_kib_at_n: pssN, proxy_fds_at_n: fdN,
    proxy_rss_kib_per_session: rss != null && opened ? Math.round(((rss - rss0) / opened) * 100) / 100 : null,
    proxy_cpu_us_per_open: cfg.proxyPids.length && opened ? Math.round(((s1.proxy - s0.proxy) / HZ) * 1e6 / opened) : null,
    cpu_open: c,
    sample: k, sample_ok: echoed, sample_rtt_ms: rtt.stats(),
    ...closing, at_n: atN,
  };
  report(res);
  return res.ok ? 0 : 1;
}

async function check() {
  let ws;
  try { ws = await open(cfg.url); } catch (e) { report({ ok: false, error: `connect: ${e.message}` }); return 1; }
  const results = {};
  const echo = (buf, binary, name) => new Promise((resolve) => {
    const timer = setTimeout(() => { ws.removeAllListeners('message'); results[name] = 'timeout'; resolve(); }, 5000);
    ws.once('message', (m, isBinary) => { clearTimeout(timer); results[name] = isBinary === binary && Buffer.compare(m, buf) === 0 ? 'ok' : 'mismatch'; resolve(); });
    ws.send(buf, { binary });
  });
  await echo(Buffer.from('t'.repeat(64)), false, 'text_64B');
  await echo(Buffer.alloc(1024, 1), true, 'bin_1KiB');
  await echo(Buffer.alloc(65537, 2), true, 'bin_64KiB_plus_1');
  await echo(Buffer.alloc(1048576, 3), true, 'bin_1MiB');
  const ok = Object.values(results).every((v) => v === 'ok');
  report({ ok, results });
  await closeAll([ws], 3000);
  return ok ? 0 : 1;
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

const limit = cfg.mode === 'capacity' ? 240 : cfg.mode === 'check' ? 30 : cfg.warmup + cfg.duration + 40;
const killer = setTimeout(() => { report({ ok: false, error: `hard limit ${limit}s` }); process.exit(3); }, limit * 1000);
const run = { load, capacity, check }[cfg.mode];
if (!run) { console.error(`unknown mode ${cfg.mode}`); process.exit(2); }
run().then((rc) => { clearTimeout(killer); process.exit(rc); }, (e) => { report({ ok: false, error: String((e && e.stack) || e) }); process.exit(4); });
