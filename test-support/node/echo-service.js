'use strict';
// WebSocket echo service registered in Eureka with eureka-js-client.
// Usage: node echo-service.js <eurekaPort> <appName> [instanceId]
// Prints "READY <port> <instanceId>" once registered; deregisters on SIGTERM/SIGINT or when stdin closes.
const { WebSocketServer } = require('ws');
const { Eureka } = require('eureka-js-client');

const eurekaPort = Number(process.argv[2] || 8761);
const app = (process.argv[3] || 'NODEECHO').toUpperCase();
const host = '127.0.0.1';

const wss = new WebSocketServer({ host, port: 0, path: undefined });
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});

wss.on('listening', () => {
  const port = wss.address().port;
  const instanceId = process.argv[4] || `${host}:${app.toLowerCase()}:${port}`;
  const client = new Eureka({
    instance: {
      app,
      instanceId,
      hostName: host,
      ipAddr: host,
      port: { '$': port, '@enabled': true },
      securePort: { '$': 443, '@enabled': false },
      vipAddress: app.toLowerCase(),
      statusPageUrl: `http://${host}:${port}/`,
      healthCheckUrl: `http://${host}:${port}/health`,
      homePageUrl: `http://${host}:${port}/`,
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      metadata: {
        'apiml.routes.ws_v1.gatewayUrl': 'ws/v1',
        'apiml.routes.ws_v1.serviceUrl': '/discoverableclient/ws',
      },
    },
    eureka: {
      host,
      port: eurekaPort,
      servicePath: '/eureka/apps/',
      heartbeatInterval: 1000,
      registryFetchInterval: 1000,
      fetchRegistry: false,
      maxRetries: 10,
      requestRetryDelay: 500,
    },
    logger: { debug() {}, info() {}, warn: console.error, error: console.error },
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    client.stop(() => {
      wss.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();

  client.start((error) => {
    if (error) {
      console.error('registration failed', error);
      process.exit(2);
    }
    console.log(`READY ${port} ${instanceId}`);
  });
});
