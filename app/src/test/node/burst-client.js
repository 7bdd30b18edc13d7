// Many `ws` clients in one Node process, for measuring how long a failover keeps clients waiting: clients in a
// process of their own, as real clients are, so their cost is not the gateway's.
// Usage: node burst-client.js BASE_URL SESSIONS BURST
// Opens SESSIONS sessions to BASE_URL + "s" + i, each sends "before i" and waits for its echo; then prints
// {"ready":SESSIONS}. On the stdin line "go" every session sends the text message "i:0" and, when its echo arrives,
// the other BURST - 1 messages "i:m" at once, and checks that each echo arrives, in order (the first echo thus
// measures how long the session was without service, not how long the machine took to relay every burst). When all
// have arrived it prints one JSON line
//   {"firstEcho":[ms from "go" to the arrival of session i's first echo, ...], "errors":[...]}
// and on the stdin line "close" closes every session with 1000 and exits. Before "go", the stdin line "probe" makes
// every session send "probe i" once and prints {"probe":[ms from "probe" to the arrival of session i's echo, ...]}:
// the same round trip with nothing failing, the floor of the measurement on this machine.
const WebSocket = require('ws');
const readline = require('readline');

const [base, sessionCount, burstSize] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const sockets = [];
const firstEcho = new Array(sessionCount).fill(-1);
const errors = [];
let ready = 0;
let finished = 0;
let go = 0n;
let probeStart = 0n;
let probed = 0;
const probe = new Array(sessionCount).fill(-1);

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
    if (text === 'probe ' + i && expected === 0) {
      probe[i] = Number(process.hrtime.bigint() - probeStart) / 1e6;
      if (++probed === sessionCount) {
        process.stdout.write(JSON.stringify({ probe }) + '\n');
      }
      return;
    }
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
      for (let m = 1; m < burstSize; m++) {
        ws.send(`${i}:${m}`);
      }
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
  if (line === 'probe') {
    probeStart = process.hrtime.bigint();
    sockets.forEach((ws, i) => ws.send('probe ' + i));
  } else if (line === 'go') {
    go = process.hrtime.bigint();
    sockets.forEach((ws, i) => ws.send(`${i}:0`));
  } else if (line === 'close') {
    let open = sockets.length;
    sockets.forEach((ws) => {
      ws.once('close', () => { if (--open === 0) process.exit(0); });
      ws.close(1000, 'done');
    });
  }
});
