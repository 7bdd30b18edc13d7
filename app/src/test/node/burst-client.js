// Many `ws` clients in one Node process, for measuring how long a failover keeps clients waiting: clients in a
// process of their own, as real clients are, so their cost is not the gateway's.
// Usage: node burst-client.js BASE_URL SESSIONS BURST
// Opens SESSIONS sessions to BASE_URL + "s" + i, each sends "before i" and waits for its echo; then prints
// {"ready":SESSIONS}. On the stdin line "go" every session sends BURST text messages "i:m" at once and checks that
// each echo arrives, in order. When all have arrived it prints one JSON line
//   {"firstEcho":[ms from "go" to the arrival of session i's first echo, ...], "errors":[...]}
// and on the stdin line "close" closes every session with 1000 and exits.
const WebSocket = require('ws');
const readline = require('readline');

const [base, sessionCount, burstSize] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const sockets = [];
const firstEcho = new Array(sessionCount).fill(-1);
const errors = [];
let ready = 0;
let finished = 0;
let go = 0n;

function fail(i, what) {
  errors.push(`session ${i}: ${what}`);
  finish();
}

function finish() {
  finished++;
  if (finished === sessionCount) {
    process.stdout.write(JSON.stringify({ firstEcho, errors }) + '\n');
  }
}

for (let i = 0; i < sessionCount; i++) {
  const ws = new WebSocket(base + 's' + i);
  let expected = -1; // -1: waiting for "before i"; then the index of the next echo of the burst
  ws.on('open', () => ws.send('before ' + i));
  ws.on('message', (data) => {
    const text = data.toString('utf8');
    if (expected === -1) {
      if (text !== 'before ' + i) {
        return fail(i, `got '${text}' before the burst`);
      }
      expected = 0;
      if (++ready === sessionCount) {
        process.stdout.write(JSON.stringify({ ready }) + '\n');
      }
      return;
    }
    if (text !== `${i}:${expected}`) {
      return fail(i, `message ${expected}: got '${text}'`);
    }
    if (expected === 0) {
      firstEcho[i] = Number(process.hrtime.bigint() - go) / 1e6;
    }
    if (++expected === burstSize) {
      finish();
    }
  });
  ws.on('close', (code, reason) => {
    if (expected !== burstSize) {
      fail(i, `closed ${code} ${reason} after ${expected} echoes`);
    }
  });
  ws.on('error', (e) => errors.push(`session ${i}: ${e.message}`));
  sockets.push(ws);
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'go') {
    go = process.hrtime.bigint();
    sockets.forEach((ws, i) => {
      for (let m = 0; m < burstSize; m++) {
        ws.send(`${i}:${m}`);
      }
    });
  } else if (line === 'close') {
    let open = sockets.length;
    sockets.forEach((ws) => {
      ws.once('close', () => { if (--open === 0) process.exit(0); });
      ws.close(1000, 'done');
    });
  }
});
