'use strict';
// Load driver of the soak: keeps N WebSocket sessions busy through the gateway with churn, accounts for every message,
// and injects client-side faults. Usage: node driver.js URL SESSIONS DURATION_S WARMUP_S FAULTS(0|1) SUMMARY.json
// URL is the gateway route without the session suffix (ws://127.0.0.1:PORT/ws/v1/soak). Prints "WARM" once the
// warm-up is over, "QUIESCED" when every session has ended; exits 0 when nothing was lost silently.
//
// Accounting: every message carries its session id and sequence number and must come back in order. A gap is a
// silent loss; an echo of an earlier number is a duplicate (counted; the gateway's replay may cause them after a
// failover). Messages still unanswered when a session ends are "lost with a documented close" if the gateway closed
// it with a documented code (1001, 1011, 1013), and silent losses otherwise (for the driver's own 1000 close every
// message sent before must have come back first).
const WebSocket = require('ws');
const fs = require('fs');

const [url, sessionsArg, durationArg, warmupArg, faultsArg, summaryFile] = process.argv.slice(2);
const N = Number(sessionsArg);
const DURATION = Number(durationArg) * 1000;
const WARMUP = Number(warmupArg) * 1000;
const FAULTS = faultsArg === '1';
const DOCUMENTED = new Set([1001, 1011, 1013]);
const FLOOD = 40;
const FLOOD_SIZE = 65536;

const stats = {
  sessionsOpened: 0, closedByDriver: 0, endedByGateway: {}, handshakeFailures: 0,
  sent: 0, echoed: 0, duplicates: 0, silentLosses: 0, lostWithDocumentedClose: 0,
  undocumented: 0, undocumentedEnds: [], gaps: [], crosstalk: 0, outOfOrder: 0, closeAnsweredByDrop: 0,
  vanishedRst: 0, vanishedSilent: 0, slowReaders: 0, floodsComplete: 0, floodsEndedDocumented: 0, floodsLost: 0,
  bytesSent: 0,
};
const start = Date.now();
let running = true;
let faultsOn = false;
const live = new Set();
let nextId = 1;

function rand(n) {
  return Math.floor(Math.random() * n);
}

class Session {
  constructor() {
    this.id = nextId++;
    this.seq = 0;
    this.expected = 0;
    this.closingByUs = false;
    this.vanished = false;
    this.flood = null; // {next}
    this.opened = false;
    this.ws = new WebSocket(`${url}/${this.id}`, { perMessageDeflate: false, handshakeTimeout: 20000 });
    this.ws.on('open', () => this.onOpen());
    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    this.ws.on('error', () => {});
    live.add(this);
  }

  onOpen() {
    this.opened = true;
    stats.sessionsOpened++;
    const lifetime = 5000 + rand(25000);
    this.endAt = Date.now() + lifetime;
    this.tick();
  }

  tick() {
    if (this.closed || this.vanished || this.closingByUs) return;
    if (!running || Date.now() > this.endAt) {
      this.closeWhenAnswered(Date.now() + 5000);
      return;
    }
    if (this.seq - this.expected < 8) this.send();
    this.timer = setTimeout(() => this.tick(), 100 + rand(1400));
  }

  send() {
    const seq = this.seq++;
    const head = `${this.id}:${seq}:`;
    const kind = rand(100);
    stats.sent++;
    if (kind < 60) {
      const text = head + 'x'.repeat(rand(200));
      stats.bytesSent += text.length;
      this.ws.send(text);
    } else if (kind < 80) {
      const buf = Buffer.alloc(8 + rand(500));
      buf.writeUInt32BE(this.id, 0);
      buf.writeUInt32BE(seq, 4);
      stats.bytesSent += buf.length;
      this.ws.send(buf, { binary: true });
    } else if (kind < 97) {
      // fragmented: 2-3 frames of one message, text or binary
      const binary = kind % 2 === 0;
      const size = 1024 + rand(8192);
      let msg;
      if (binary) {
        msg = Buffer.alloc(size);
        msg.writeUInt32BE(this.id, 0);
        msg.writeUInt32BE(seq, 4);
      } else {
        msg = Buffer.from(head + 'é'.repeat(size / 2));
      }
      const cut1 = rand(msg.length);
      const cut2 = cut1 + rand(msg.length - cut1);
      const parts = [msg.subarray(0, cut1), msg.subarray(cut1, cut2), msg.subarray(cut2)];
      parts.forEach((p, i) => this.ws.send(p, { binary, fin: i === 2 }));
      stats.bytesSent += msg.length;
    } else {
      const buf = Buffer.alloc(65536);
      buf.writeUInt32BE(this.id, 0);
      buf.writeUInt32BE(seq, 4);
      stats.bytesSent += buf.length;
      this.ws.send(buf, { binary: true });
    }
  }

  onMessage(data, isBinary) {
    let id;
    let seq;
    if (isBinary) {
      id = data.readUInt32BE(0);
      seq = data.readUInt32BE(4);
    } else {
      const text = data.toString();
      if (text.startsWith('F:')) return this.onFlood(Number(text.split(':')[1]));
      const parts = text.split(':');
      id = Number(parts[0]);
      seq = Number(parts[1]);
    }
    if (id !== this.id) {
      stats.crosstalk++;
      return;
    }
    if (seq === this.expected) {
      this.expected++;
      stats.echoed++;
    } else if (seq < this.expected) {
      stats.duplicates++;
    } else {
      stats.outOfOrder++;
      stats.silentLosses += seq - this.expected;
      if (stats.gaps.length < 50) {
        stats.gaps.push({ id: this.id, expected: this.expected, got: seq, at: new Date().toISOString() });
      }
      this.expected = seq + 1;
      stats.echoed++;
    }
  }

  onFlood(i) {
    if (!this.flood) return;
    if (i === this.flood.next) {
      this.flood.next++;
      if (this.flood.next === FLOOD) {
        stats.floodsComplete++;
        this.flood = null;
      }
    } else if (i > this.flood.next) {
      stats.floodsLost++;
      this.flood = null;
    }
  }

  closeWhenAnswered(deadline) {
    if (this.closed || this.vanished) return;
    if ((this.seq > this.expected || this.flood) && Date.now() < deadline) {
      setTimeout(() => this.closeWhenAnswered(deadline), 100);
      return;
    }
    this.closingByUs = true;
    this.ws.close(1000, 'done');
  }

  onClose(code, reason) {
    this.closed = true;
    clearTimeout(this.timer);
    live.delete(this);
    if (!this.opened) {
      stats.handshakeFailures++;
    } else if (this.vanished) {
      // the driver made it vanish: nothing to account for
    } else {
      const outstanding = this.seq - this.expected;
      if (this.closingByUs && code === 1006 && outstanding === 0 && !this.flood) {
        // the driver's close was not answered with a close frame (the connection was dropped): nothing was lost
        stats.closeAnsweredByDrop++;
      } else if (this.closingByUs && code === 1000) {
        stats.closedByDriver++;
        stats.silentLosses += outstanding;
        if (this.flood) stats.floodsLost++;
      } else if (DOCUMENTED.has(code)) {
        stats.endedByGateway[code] = (stats.endedByGateway[code] || 0) + 1;
        stats.lostWithDocumentedClose += outstanding;
        if (this.flood) stats.floodsEndedDocumented++;
      } else {
        stats.undocumented++;
        if (stats.undocumentedEnds.length < 50) {
          stats.undocumentedEnds.push({ id: this.id, code, reason, outstanding, byDriver: this.closingByUs });
        }
        stats.silentLosses += outstanding;
      }
    }
    if (running) setTimeout(() => new Session(), this.opened ? 10 + rand(200) : 500);
  }

  vanish(silent) {
    this.vanished = true;
    clearTimeout(this.timer);
    const socket = this.ws._socket;
    if (!socket) return;
    if (silent) {
      // stops reading (so answers no ping) and sends nothing more; the socket goes away later
      stats.vanishedSilent++;
      socket.pause();
      setTimeout(() => socket.destroy(), 30000);
    } else {
      stats.vanishedRst++;
      if (socket.resetAndDestroy) socket.resetAndDestroy(); else socket.destroy();
    }
  }

  slowReader() {
    const socket = this.ws._socket;
    if (!socket || this.flood) return;
    stats.slowReaders++;
    this.flood = { next: 0 };
    this.ws.send(`flood:${FLOOD}:${FLOOD_SIZE}`);
    socket.pause();
    setTimeout(() => socket.resume(), 2000 + rand(3000));
  }
}

function injectClientFault() {
  if (!faultsOn || !running) return;
  const open = [...live].filter((s) => s.opened && !s.closed && !s.vanished && !s.closingByUs);
  if (open.length > 0) {
    const s = open[rand(open.length)];
    const what = rand(3);
    if (what === 0) s.vanish(false);
    else if (what === 1) s.vanish(true);
    else s.slowReader();
  }
  setTimeout(injectClientFault, 500 + rand(1500));
}

// ramp up over a few seconds so the gateway's per-IP handshake limits are not the subject
for (let i = 0; i < N; i++) setTimeout(() => new Session(), rand(Math.min(WARMUP, 5000)));

setTimeout(() => {
  process.stdout.write('WARM\n');
  faultsOn = FAULTS;
  injectClientFault();
}, WARMUP);

setTimeout(() => {
  running = false;
  faultsOn = false;
  for (const s of live) {
    if (s.opened && !s.closed && !s.vanished && !s.closingByUs) s.closeWhenAnswered(Date.now() + 5000);
  }
  const deadline = Date.now() + 30000;
  const wait = () => {
    const left = [...live].filter((s) => !s.vanished);
    if (left.length > 0 && Date.now() < deadline) return setTimeout(wait, 200);
    for (const s of left) {
      stats.undocumented++;
      stats.undocumentedEnds.push({ id: s.id, stuck: true, outstanding: s.seq - s.expected });
    }
    for (const s of live) if (s.ws._socket) s.ws._socket.destroy();
    stats.seconds = Math.round((Date.now() - start) / 1000);
    fs.writeFileSync(summaryFile, JSON.stringify(stats, null, 1) + '\n');
    process.stdout.write('QUIESCED\n');
    const ok = stats.silentLosses === 0 && stats.undocumented === 0 && stats.crosstalk === 0
      && stats.floodsLost === 0;
    process.exit(ok ? 0 : 1);
  };
  wait();
}, DURATION);
