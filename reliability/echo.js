'use strict';
// An upstream instance for the soak: a Node `ws` echo service on 127.0.0.1:PORT (an OS process the harness kills,
// stops and restarts). Every message comes back whole, with its type. Text "flood:N:SIZE" makes it send N text
// messages "F:i:..." of SIZE bytes as fast as the socket takes them (a service that keeps sending to a client that
// may have stopped reading).
// Usage: node echo.js PORT [EUREKA_URL APP INSTANCE_ID]
// With EUREKA_URL (http://127.0.0.1:8761/eureka) it registers in Eureka over its REST API, as a Eureka client does:
// register, a heartbeat every second (lease 10 s), and a new registration whenever a heartbeat gets 404 (the Eureka
// server restarted and forgot it).
const http = require('http');
const { WebSocketServer } = require('ws');

const [port, eureka, app, instanceId] = [Number(process.argv[2]), process.argv[3], process.argv[4], process.argv[5]];
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

function eurekaCall(method, path, body, done) {
  const req = http.request(`${eureka}/apps/${app}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    timeout: 2000,
  }, (res) => {
    res.resume();
    res.on('end', () => done(res.statusCode));
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => done(0));
  req.end(body ? JSON.stringify(body) : undefined);
}

function register(done) {
  eurekaCall('POST', '', {
    instance: {
      instanceId, app, hostName: '127.0.0.1', ipAddr: '127.0.0.1', status: 'UP', vipAddress: app.toLowerCase(),
      port: { $: port, '@enabled': 'true' }, securePort: { $: 443, '@enabled': 'false' },
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: { renewalIntervalInSecs: 1, durationInSecs: 10 },
      metadata: { 'apiml.routes.ws_v1.gatewayUrl': 'ws/v1', 'apiml.routes.ws_v1.serviceUrl': '/soak' },
    },
  }, done);
}

function heartbeat() {
  eurekaCall('PUT', `/${instanceId}`, null, (status) => {
    if (status === 404) {
      register(() => {});
    }
  });
}

wss.on('listening', () => {
  if (!eureka) {
    process.stdout.write(`READY ${port}\n`);
    return;
  }
  const tryRegister = () => register((status) => {
    if (status !== 204) {
      setTimeout(tryRegister, 500);
      return;
    }
    process.stdout.write(`READY ${port} ${instanceId}\n`);
    setInterval(heartbeat, 1000);
  });
  tryRegister();
});
process.on('SIGTERM', () => process.exit(0));
