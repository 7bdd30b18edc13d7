#!/usr/bin/env node
// The wss upstream of TLS=1 runs: the echo of lib/echo-upstream.js behind Node's https server (lab certificate).
// Usage: node tls/echo-wss.js PORT CERT_DIR
'use strict';
const fs = require('fs');
const https = require('https');
const path = require('path');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 9002);
const dir = process.argv[3];
const server = https.createServer({
  key: fs.readFileSync(path.join(dir, 'key.pem')),
  cert: fs.readFileSync(path.join(dir, 'cert.pem')),
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, clientTracking: false });
wss.on('connection', (sock) => {
  sock.on('error', () => {});
  sock.on('message', (msg, binary) => sock.send(msg, { binary }));
});
server.on('tlsClientError', () => {}); // a client that drops mid-handshake is not an upstream failure
// how many TLS opens resumed a session (the proxy's client side offering a ticket): written at exit to the log
const tls = { opens: 0, resumed: 0 };
server.on('secureConnection', (s) => { tls.opens++; if (s.isSessionReused()) tls.resumed++; });
server.listen(port, '127.0.0.1', 8192, () => {
  process.stdout.write(`echo upstream on wss://127.0.0.1:${port}/ (ws ${require('ws/package.json').version}) pid ${process.pid}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    process.stdout.write(`tls opens ${tls.opens}, resumed ${tls.resumed}\n`);
    process.exit(0);
  });
}
