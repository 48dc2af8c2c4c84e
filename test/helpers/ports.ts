/** Free loopback ports, for processes that must be told their port before they start. */
import { createServer, type Server } from 'node:net';

/**
 * Asks the OS for `count` distinct ports nobody listens on. All probes are held open
 * together, so the OS cannot hand one port out twice; they are released before the caller binds.
 */
export async function freePorts(count: number): Promise<number[]> {
  const probes: Server[] = [];
  try {
    return await Promise.all(
      Array.from({ length: count }, () => {
        const probe = createServer();
        probes.push(probe);
        return new Promise<number>((resolve, reject) => {
          probe.once('error', reject);
          probe.listen(0, '127.0.0.1', () => {
            const address = probe.address();
            const port = typeof address === 'object' && address !== null ? address.port : 0;
            if (port > 0) resolve(port);
            else reject(new Error('could not find a free port'));
          });
        });
      }),
    );
  } finally {
    await Promise.all(probes.map((probe) => new Promise((resolve) => (probe.listening ? probe.close(resolve) : resolve(undefined)))));
  }
}

/** One free loopback port. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
