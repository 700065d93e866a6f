/**
 * The metrics listener: GET /metrics in Prometheus' text format, on its own address (loopback by
 * default), never on the shoppers' port. With a token set, a scrape must present it as a bearer token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function presentsToken(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
  // Hashing first makes the comparison length-independent as well as constant-time.
  return presented !== '' && timingSafeEqual(digest(presented), expected);
}

export async function startMetricsServer(
  options: { host: string; port: number; token: string | null },
  registry: Registry,
  log: Logger,
): Promise<MetricsListener> {
  const expected = options.token === null ? null : digest(options.token);
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return void res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed\n');
    }
    if (expected && !presentsToken(req, expected)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer', 'Content-Type': 'text/plain' });
      return void res.end('Unauthorized\n');
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      log.error({ err }, 'metrics: scrape failed');
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Scrape failed\n');
    }
  };
  const server: Server = createServer((req, res) => void answer(req, res));
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}/metrics`;
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
