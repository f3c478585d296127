import http from 'node:http';
import net from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../lib/logger';

export interface MetricsServerOptions {
  /** Our series (lib/worker-metrics.ts). */
  registry: Registry;
  /** The Temporal SDK's own Prometheus endpoint (lib/temporal-runtime.ts), appended to ours. */
  sdkMetricsUrl?: string;
  logger: Logger;
}

/**
 * The worker's HTTP server: `GET /metrics` is one scrape target holding our
 * series and the Temporal SDK's (`temporal_*`, fetched from its exporter on
 * loopback); `GET /healthz` answers while the process runs.
 */
export function createMetricsServer({ registry, sdkMetricsUrl, logger }: MetricsServerOptions): http.Server {
  const sdkMetrics = async (): Promise<string> => {
    if (!sdkMetricsUrl) return '';
    try {
      const res = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.text();
    } catch (err) {
      logger.warn({ err }, 'temporal SDK metrics unavailable');
      return '# Temporal SDK metrics unavailable\n';
    }
  };

  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      Promise.all([registry.metrics(), sdkMetrics()])
        .then(([ours, sdk]) => res.writeHead(200, { 'content-type': registry.contentType }).end(`${ours.replace(/\n*$/, '\n')}${sdk}`))
        .catch((err: unknown) => {
          logger.error({ err }, 'metrics failed');
          if (!res.headersSent) res.writeHead(500).end();
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
}

/** A loopback port nobody uses right now (for the SDK's exporter, which only we read). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
