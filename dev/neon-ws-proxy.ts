/**
 * Neon's serverless driver speaks the Postgres wire protocol over a WebSocket. Against a local PostgreSQL
 * server this loopback proxy plays Neon's WebSocket endpoint: each connection `/v1?address=host:port` is
 * piped to a TCP socket (Nagle off: a query is one small write and must not wait for the previous one's ACK). It
 * refuses any address that is not loopback.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/;

export async function startNeonWsProxy(port = 0): Promise<{ address: string; close(): Promise<void> }> {
  const http = createServer((_req, res) => {
    res.statusCode = 426;
    res.end('websocket only');
  });
  const wss = new WebSocketServer({ server: http });
  // one bad connection must not take down the proxy every other test and benchmark goes through
  wss.on('error', (error) => console.error(`neon ws proxy: ${error.message}`));
  http.on('clientError', (_error, socket) => socket.destroy());
  wss.on('connection', (ws, req) => {
    const target = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
    const idx = target.lastIndexOf(':');
    const host = target.slice(0, idx);
    const targetPort = Number(target.slice(idx + 1));
    if (!LOOPBACK.test(host) || !Number.isInteger(targetPort)) {
      ws.close(1008, 'only loopback addresses are proxied');
      return;
    }
    const tcp = connect({ host: host.replace(/^\[|\]$/g, ''), port: targetPort, noDelay: true });
    const pending: Buffer[] = [];
    let open = false;
    tcp.on('connect', () => {
      open = true;
      for (const chunk of pending) tcp.write(chunk);
      pending.length = 0;
    });
    ws.on('message', (data: Buffer) => (open ? tcp.write(data) : pending.push(data)));
    tcp.on('data', (data) => ws.readyState === ws.OPEN && ws.send(data));
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.close());
    ws.on('close', () => tcp.destroy());
    ws.on('error', () => tcp.destroy());
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.argv[2] ?? 54330);
  startNeonWsProxy(port).then((p) => console.log(`neon ws proxy on ${p.address}`));
}
