/**
 * The parent's side of the load clients (client.ts): starting them, asking them something
 * and waiting for the answer, and stopping them. A client that fails or exits fails what was
 * asked of it, with its reason.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientCommand, ClientReply } from './client.js';

type ReplyKind = ClientReply['kind'];

/** One load-client process. */
export class LoadClient {
  private readonly child: ChildProcess;
  private readonly exited: Promise<string>;
  /** Called with each progress report while traffic runs. */
  onProgress: (report: Extract<ClientReply, { kind: 'progress' }>) => void = () => {};

  constructor(readonly index: number) {
    const script = fileURLToPath(new URL('./client.js', import.meta.url));
    // No BENCH_NODE_ARGS here: a profile of the load client is not what they are for.
    this.child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve(`load client ${index} exited with code ${code}, signal ${signal}`));
      this.child.once('error', (error) => resolve(`load client ${index} could not run: ${error.message}`));
    });
    this.child.on('message', (reply: ClientReply) => {
      if (reply.kind === 'progress') this.onProgress(reply);
    });
  }

  /** Sends `command` and resolves with the reply of kind `until`; a failure or an exit rejects. */
  ask<K extends ReplyKind>(command: ClientCommand, until: K): Promise<Extract<ClientReply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: ClientReply) => {
        if (reply.kind === until) {
          this.child.off('message', onMessage);
          resolve(reply as Extract<ClientReply, { kind: K }>);
        } else if (reply.kind === 'failed') {
          this.child.off('message', onMessage);
          reject(new Error(`load client ${this.index}: ${reply.message}`));
        }
      };
      this.child.on('message', onMessage);
      void this.exited.then((why) => reject(new Error(why)));
      this.child.send(command);
    });
  }

  /** Ends the process (its sockets with it). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** Starts `count` clients. */
export function startClients(count: number): LoadClient[] {
  return Array.from({ length: count }, (_, index) => new LoadClient(index));
}
