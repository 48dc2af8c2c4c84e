/**
 * A TCP proxy in front of a server (Redis, say) that can hold back what the server answers:
 * a test sees that the server has answered a call — the answer sits in the proxy — and that
 * the caller still waits for it, with no fixed wait.
 */
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface HoldingProxy {
  port: number;
  /** From now on, the server's answers are kept in the proxy. */
  hold(): void;
  /** Resolves once held answers contain `text` (the server did answer). */
  answered(text: string): Promise<void>;
  /** Passes on what was held, and everything after it. */
  release(): void;
}

export async function holdingProxy(t: { after(fn: () => unknown): void }, target: { host: string; port: number }): Promise<HoldingProxy> {
  let holding = false;
  let heldText = '';
  const held: Array<() => void> = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {}); // the other side's close ends both
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!holding) {
        client.write(chunk);
        return;
      }
      held.push(() => client.write(chunk));
      heldText += chunk.toString('latin1');
      for (const waiter of [...waiters]) {
        if (heldText.includes(waiter.text)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return {
    port: (server.address() as AddressInfo).port,
    hold: () => {
      holding = true;
    },
    answered: (text) =>
      heldText.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiters.push({ text, resolve });
          }),
    release: () => {
      holding = false;
      heldText = '';
      for (const write of held.splice(0)) write();
    },
  };
}
