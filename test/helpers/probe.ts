/** Plain `node:http` probes from a chosen local address (the whole of 127.0.0.0/8 is loopback on Linux). */
import { request } from 'node:http';
import { metricsAuth } from './accounts.js';

/** GETs `url` from `localAddress` on a connection of its own; resolves with the status and body. */
export function probe(url: string, options: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, localAddress: options.localAddress, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The samples of one Prometheus scrape, keyed `name{label="value",…}`. */
export async function scrapeMetrics(url: string, headers: Record<string, string> = metricsAuth): Promise<Map<string, number>> {
  const reply = await probe(url, { headers });
  if (reply.status !== 200) throw new Error(`scrape of ${url}: ${reply.status}`);
  const samples = new Map<string, number>();
  for (const line of reply.body.split('\n')) {
    const match = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}
