#!/usr/bin/env node
// Smoke check of a relay in front of bench/lib/echo-upstream.js: a 200 KiB message, a fragmented message with a
// ping between its fragments, 8 x 1 MiB echoed while the client does not read (backpressure in the relay), a
// refused path, the close handshake, a frame header split over many reads and an unmasked client frame.
// Usage: node bench/nio-relay/smoke.js ws://127.0.0.1:9106/ws/v1/echo/smoke
'use strict';
const WebSocket = require('ws');
const net = require('net');
const crypto = require('crypto');
const url = process.argv[2] || 'ws://127.0.0.1:9106/ws/v1/echo/smoke';
const results = {};
const killer = setTimeout(() => { console.log(JSON.stringify({ ok: false, error: 'timeout', results })); process.exit(3); }, 30000);

function open(u) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(u, { perMessageDeflate: false, maxPayload: 64 << 20 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => reject(new Error(`status ${res.statusCode}`)));
  });
}
const next = (ws) => new Promise((resolve) => ws.once('message', (m, binary) => resolve({ m, binary })));

// A raw TCP client: upgrade, then one masked 300-byte text frame written a byte at a time (its header split over
// many reads), expecting the echo; or an unmasked frame (a violation), expecting the connection to be closed.
function raw(masked) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect(Number(u.port), u.hostname);
    const timer = setTimeout(() => { sock.destroy(); resolve('timeout'); }, 8000);
    const done = (v) => { clearTimeout(timer); sock.destroy(); resolve(v); };
    let buf = Buffer.alloc(0), upgraded = false;
    const payload = Buffer.alloc(300, 0x61);
    sock.on('connect', () => sock.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n`
      + `Connection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`));
    sock.on('data', async (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).equals(Buffer.from('HTTP/1.1 101'))) return done('no 101');
        upgraded = true;
        buf = buf.subarray(end + 4);
        const mask = Buffer.from([1, 2, 3, 4]);
        const body = masked ? Buffer.from(payload.map((b, i) => b ^ mask[i % 4])) : payload;
        const frame = Buffer.concat([Buffer.from([0x81, (masked ? 0x80 : 0) | 126, 1, 44]), masked ? mask : Buffer.alloc(0), body]);
        for (const b of frame.subarray(0, 12)) { sock.write(Buffer.from([b])); await new Promise((r) => setTimeout(r, 5)); }
        sock.write(frame.subarray(12));
      }
      // the echo: unmasked text frame, 16-bit length 300
      if (buf.length >= 304) done(buf[0] === 0x81 && buf[1] === 126 && buf.readUInt16BE(2) === 300 && buf.subarray(4, 304).equals(payload) ? (masked ? 'ok' : 'echoed') : 'mismatch');
    });
    sock.on('close', () => done(masked ? 'closed' : 'ok'));
    sock.on('error', () => {});
  });
}

async function main() {
  const ws = await open(url);

  const big = Buffer.alloc(200 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i * 7;
  let p = next(ws);
  ws.send(big, { binary: true });
  let r = await p;
  results.bin_200KiB = r.binary && Buffer.compare(r.m, big) === 0 ? 'ok' : 'mismatch';

  // one text message in three frames (first, continuation, final continuation) with a ping in between
  const parts = ['first part, ', 'x'.repeat(70000), ', last part'];
  p = next(ws);
  const pong = new Promise((resolve) => ws.once('pong', (d) => resolve(d.toString())));
  ws.send(parts[0], { fin: false });
  ws.ping('between-fragments');
  ws.send(parts[1], { fin: false });
  ws.send(parts[2], { fin: true });
  r = await p;
  results.fragmented_text = !r.binary && r.m.toString() === parts.join('') ? 'ok' : 'mismatch';
  results.ping_between_fragments = (await pong) === 'between-fragments' ? 'ok' : 'mismatch';

  // the client stops reading while 8 MiB come back: the relay's writes to it block, it must hold and resume
  const n = 8, size = 1 << 20;
  const got = [];
  const all = new Promise((resolve) => ws.on('message', (m) => { got.push(m); if (got.length === n) resolve(); }));
  ws._socket.pause();
  for (let i = 0; i < n; i++) ws.send(Buffer.alloc(size, i + 1), { binary: true });
  await new Promise((res) => setTimeout(res, 1500));
  ws._socket.resume();
  await all;
  ws.removeAllListeners('message');
  results.backpressure_8x1MiB = got.every((m, i) => m.length === size && m[0] === i + 1 && m[size - 1] === i + 1) ? 'ok' : 'mismatch';

  // a path the relay does not serve is refused with an HTTP status
  results.refused_path = await open(url.replace(/\/ws\/v1\/echo\/.*/, '/other')).then(
    (w) => { w.terminate(); return 'opened'; }, (e) => (/status 404/.test(e.message) ? 'ok' : e.message));

  // close handshake: the client's close frame goes through, the upstream's answer comes back
  const closed = await new Promise((resolve) => { ws.once('close', (code, reason) => resolve(`${code} ${reason}`)); ws.close(4001, 'bye'); });
  results.close_handshake = closed === '4001 bye' ? 'ok' : closed;

  results.split_header_bytes = await raw(true);
  results.unmasked_client_frame_closes = await raw(false);

  const ok = Object.values(results).every((v) => v === 'ok');
  console.log(JSON.stringify({ ok, results }));
  clearTimeout(killer);
  process.exit(ok ? 0 : 1);
}
main().catch((e) => { console.log(JSON.stringify({ ok: false, error: String(e), results })); process.exit(2); });
