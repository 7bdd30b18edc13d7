// A WebSocket echo service on Node's `ws` for the gateway's integration tests.
// Usage: node upstream.js [port]   (0 = any free port). Prints {"port":N} on stdout once listening.
// Behaviour, driven by the client:
//   - every message is echoed with its type (text/binary), after reassembly;
//   - text "handshake?"  -> a JSON text message describing the upgrade request (path, query, headers, protocol);
//   - text "lastclose:SUFFIX" -> JSON {code, reason} of the last close this server received on a connection whose
//                           path ends with SUFFIX (null if none);
//   - text "close:CODE:REASON" -> the server closes with that code and reason;
//   - text "drop"        -> the server destroys the TCP connection without a close frame;
//   - text "count?"      -> JSON {open: number of open connections};
//   - text "received:SUFFIX" -> JSON {bytes} of the messages received on connections whose path ends with SUFFIX;
// Paths: /auth/...  requires "Authorization: Basic dXNlcjpwYXNz" (user:pass), else 401 with WWW-Authenticate;
//        /greet/... sends "hello" right after the handshake; /forbidden/... answers 403;
//        /slow/... completes the handshake after 500 ms;
//        /mute/... answers nothing but the control texts above (a service that only listens).
// Subprotocols: the first offered protocol that starts with "proto" is chosen.
const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 0);
const closes = []; // {path, code, reason}, oldest first
const received = new Map(); // path -> bytes of the messages received on it
const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('upgrade required');
});
const wss = new WebSocketServer({
  noServer: true,
  maxPayload: 64 * 1024 * 1024,
  perMessageDeflate: true,
  handleProtocols: (protocols) => {
    for (const p of protocols) {
      if (p.startsWith('proto')) return p;
    }
    return false;
  },
});

server.on('upgrade', (req, socket, head) => {
  if (req.url.startsWith('/auth')) {
    if (req.headers['authorization'] !== 'Basic dXNlcjpwYXNz') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="upstream"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
  }
  if (req.url.startsWith('/slow')) {
    setTimeout(() => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)), 500);
    return;
  }
  if (req.url.startsWith('/forbidden')) {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://x');
  const handshake = {
    path: url.pathname,
    query: url.search.length > 0 ? url.search.substring(1) : '',
    headers: req.headers,
    protocol: ws.protocol,
  };
  if (url.pathname.startsWith('/greet')) {
    ws.send('hello');
  }
  ws.on('message', (data, isBinary) => {
    received.set(url.pathname, (received.get(url.pathname) || 0) + data.length);
    if (!isBinary) {
      const text = data.toString('utf8');
      if (text === 'handshake?') return ws.send(JSON.stringify(handshake));
      if (text.startsWith('lastclose:')) {
        const suffix = text.substring('lastclose:'.length);
        const found = closes.filter((c) => c.path.endsWith(suffix)).pop();
        return ws.send(JSON.stringify(found ? { code: found.code, reason: found.reason } : null));
      }
      if (text === 'count?') return ws.send(JSON.stringify({ open: wss.clients.size }));
      if (text.startsWith('received:')) {
        const suffix = text.substring('received:'.length);
        let bytes = 0;
        received.forEach((n, path) => { if (path.endsWith(suffix)) bytes += n; });
        return ws.send(JSON.stringify({ bytes }));
      }
      if (text === 'drop') return ws._socket.destroy();
      if (text.startsWith('close:')) {
        const [, code, reason] = text.split(':');
        return ws.close(Number(code), reason);
      }
    }
    if (url.pathname.startsWith('/mute')) return;
    ws.send(data, { binary: isBinary });
  });
  ws.on('close', (code, reason) => {
    closes.push({ path: url.pathname, code, reason: reason.toString('utf8') });
    if (closes.length > 1000) closes.shift();
  });
  ws.on('error', () => {});
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
