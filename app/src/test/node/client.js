// A Node `ws` client for the gateway's integration tests.
// Usage: node client.js URL
// Connects offering permessage-deflate and the subprotocol "proto.node", sends a text message, a fragmented text
// message and a 100 KB compressible binary message, and prints one JSON line once all echoes arrived:
//   {"protocol":..., "extensions":..., "echoes":[...]}   (binary echoes as "binary:<length>:<ok|corrupt>")
// Then waits for a line on stdin and closes with 4002 "node done"; prints {"closeCode":..,"closeReason":..}.
const WebSocket = require('ws');
const readline = require('readline');

const ws = new WebSocket(process.argv[2], ['proto.node'], { perMessageDeflate: true });
const binary = Buffer.alloc(100 * 1024, 'a');
const expected = 3;
const echoes = [];

ws.on('open', () => {
  ws.send('hello ☃');
  ws.send('frag', { fin: false });
  ws.send('mented ☃', { fin: true });
  ws.send(binary, { binary: true });
});
ws.on('message', (data, isBinary) => {
  echoes.push(isBinary ? `binary:${data.length}:${Buffer.compare(data, binary) === 0 ? 'ok' : 'corrupt'}` : data.toString('utf8'));
  if (echoes.length === expected) {
    process.stdout.write(JSON.stringify({ protocol: ws.protocol, extensions: ws.extensions, echoes }) + '\n');
    readline.createInterface({ input: process.stdin }).once('line', () => ws.close(4002, 'node done'));
  }
});
ws.on('close', (code, reason) => {
  process.stdout.write(JSON.stringify({ closeCode: code, closeReason: reason.toString('utf8') }) + '\n');
  process.exit(0);
});
ws.on('unexpected-response', (req, res) => {
  process.stdout.write(JSON.stringify({ status: res.statusCode }) + '\n');
  process.exit(0);
});
ws.on('error', (e) => {
  process.stdout.write(JSON.stringify({ error: e.message }) + '\n');
  process.exit(1);
});
