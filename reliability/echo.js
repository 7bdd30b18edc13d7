'use strict';
// An upstream instance for the soak: a Node `ws` echo service on 127.0.0.1:PORT (an OS process the harness kills,
// stops and restarts). Every message comes back whole, with its type. Text "flood:N:SIZE" makes it send N text
// messages "F:i:..." of SIZE bytes as fast as the socket takes them (a service that keeps sending to a client that
// may have stopped reading). Usage: node echo.js PORT
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 1 << 20 });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (!isBinary && data.length < 32 && data.toString().startsWith('flood:')) {
      const [, n, size] = data.toString().split(':');
      for (let i = 0; i < Number(n); i++) {
        const head = `F:${i}:`;
        ws.send(head + 'f'.repeat(Math.max(0, Number(size) - head.length)));
      }
      return;
    }
    ws.send(data, { binary: isBinary });
  });
  ws.on('error', () => {});
});
wss.on('listening', () => process.stdout.write(`READY ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
