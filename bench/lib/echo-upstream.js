#!/usr/bin/env node
// The common upstream of every target: a Node 'ws' server that sends each message back with its opcode.
// Any path is accepted (the gateway and nginx forward /ws/v1/echo/...).
// Usage: node lib/echo-upstream.js [port=9001]
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 9001);
const server = new WebSocketServer({
  host: '127.0.0.1',
  port,
  backlog: 8192,
  perMessageDeflate: false, // the bench measures relaying, not compression
  maxPayload: 16 * 1024 * 1024,
  clientTracking: false, // nothing to track: keeps 9,000 idle sockets cheap
});
server.on('connection', (sock) => {
  sock.on('error', () => {});
  sock.on('message', (msg, binary) => sock.send(msg, { binary }));
});
server.on('listening', () => {
  process.stdout.write(`echo upstream on ws://127.0.0.1:${port}/ (ws ${require('ws/package.json').version}) pid ${process.pid}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
