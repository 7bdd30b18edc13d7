#!/usr/bin/env node
// Turns results.jsonl (one line per scenario x target x round) into a markdown summary.
// Medians over rounds; ratios are computed per round against the same round's direct / nginx, then the median.
// Usage: node lib/summarize.js results/<dir>/results.jsonl [more.jsonl ...]
'use strict';
const fs = require('fs');

const rows = [];
for (const f of process.argv.slice(2)) {
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try { rows.push(JSON.parse(line)); } catch (_) {}
  }
}
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((p, q) => p - q);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const fmt = (x, d = 0) => (x == null ? '–' : Number(x).toFixed(d));
const ratio = (x) => (x == null ? '–' : x.toFixed(2));

const order = ['lat1', 'lat50', 'tput1k', 'large1m', 'cap5000', 'cap9000'];
const desc = {
  lat1: '1 conn, 64 B text ping-pong',
  lat50: '50 conns, 64 B text ping-pong',
  tput1k: '50 conns x 16 in flight, 1 KiB binary',
  large1m: '4 conns x 1 in flight, 1 MiB binary',
  cap5000: '5,000 idle sessions',
  cap9000: '9,000 idle sessions',
};
const targets = ['direct', 'nginx', 'haproxy', 'haproxytcp', 'gateway', 'gatewayb', 'nio'];
const scenarios = [...new Set(rows.map((r) => r.scenario))].sort((p, q) => order.indexOf(p) - order.indexOf(q));

function perRoundRatio(scn, tgt, base, value) {
  const out = [];
  for (const r of rows.filter((x) => x.scenario === scn && x.target === tgt && x.ok)) {
    const b = rows.find((x) => x.scenario === scn && x.target === base && x.round === r.round && x.ok);
    if (b && value(b)) out.push(value(r) / value(b));
  }
  return median(out);
}

const out = [];
const loadScn = scenarios.filter((s) => !s.startsWith('cap'));
if (loadScn.length) {
  out.push('| scenario | target | n ok | msgs/s | MiB/s | p50 ms | p99 ms | p99.9 ms | proxy µs/msg | proxy CPU % | ×direct | ×nginx | p99 ×nginx | other % |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of loadScn) {
    for (const t of targets) {
      const all = rows.filter((r) => r.scenario === s && r.target === t);
      if (!all.length) continue;
      const rs = all.filter((r) => r.ok);
      const m = (f) => median(rs.map(f));
      const tput = (r) => r.msgs_per_s;
      out.push(`| ${s} (${desc[s] || ''}) | ${t} | ${rs.length}/${all.length} | ${fmt(m(tput))} | ${fmt(m((r) => r.mib_per_s), 2)} | `
        + `${fmt(m((r) => r.rtt_ms && r.rtt_ms.p50), 3)} | ${fmt(m((r) => r.rtt_ms && r.rtt_ms.p99), 3)} | ${fmt(m((r) => r.rtt_ms && r.rtt_ms.p999), 3)} | `
        + `${fmt(m((r) => r.cpu.proxy_us_per_msg), 1)} | ${fmt(m((r) => r.cpu.proxy_pct), 0)} | `
        + `${t === 'direct' ? '1.00' : ratio(perRoundRatio(s, t, 'direct', tput))} | `
        + `${t === 'nginx' ? '1.00' : ratio(perRoundRatio(s, t, 'nginx', tput))} | `
        + `${t === 'nginx' ? '1.00' : ratio(perRoundRatio(s, t, 'nginx', (r) => r.rtt_ms && r.rtt_ms.p99))} | `
        + `${fmt(m((r) => r.cpu.other_pct), 0)} |`);
    }
  }
}
const capScn = scenarios.filter((s) => s.startsWith('cap'));
if (capScn.length) {
  out.push('');
  out.push('| scenario | target | n ok | opened | open/s | open ×direct | open ×nginx | proxy RSS KiB/session | RSS at N MiB | PSS at N MiB | proxy µs CPU/open | sample echo | sample p50 ms | other % |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of capScn) {
    for (const t of targets) {
      const all = rows.filter((r) => r.scenario === s && r.target === t);
      if (!all.length) continue;
      const rs = all.filter((r) => r.opened != null);
      const m = (f) => median(rs.map(f));
      const rate = (r) => r.open_per_s;
      out.push(`| ${s} (${desc[s] || ''}) | ${t} | ${all.filter((r) => r.ok).length}/${all.length} | ${fmt(m((r) => r.opened))} | ${fmt(m(rate))} | `
        + `${t === 'direct' ? '1.00' : ratio(perRoundRatio(s, t, 'direct', rate))} | ${t === 'nginx' ? '1.00' : ratio(perRoundRatio(s, t, 'nginx', rate))} | `
        + `${fmt(m((r) => r.proxy_rss_kib_per_session), 1)} | ${fmt(m((r) => r.proxy_rss_kib_at_n && r.proxy_rss_kib_at_n / 1024), 0)} | `
        + `${fmt(m((r) => r.proxy_pss_kib_at_n && r.proxy_pss_kib_at_n / 1024), 0)} | ${fmt(m((r) => r.proxy_cpu_us_per_open))} | `
        + `${rs.map((r) => `${r.sample_ok}/${r.sample}`).join(', ')} | ${fmt(m((r) => r.sample_rtt_ms && r.sample_rtt_ms.p50), 2)} | ${fmt(m((r) => r.cpu_open.other_pct), 0)} |`);
    }
  }
}
const failed = rows.filter((r) => !r.ok);
if (failed.length) {
  out.push('');
  out.push('Failed runs:');
  for (const r of failed) out.push(`- ${r.scenario} ${r.target} round ${r.round}: ${r.error || JSON.stringify(r.errors || r.reasons || {})}`);
}
process.stdout.write(out.join('\n') + '\n');
