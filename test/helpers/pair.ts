/**
 * The fixture most tests start from: a server, its admin signed in, and a matched pair —
 * optionally with both sides connected to their chat.
 */
import assert from 'node:assert/strict';
import { loginAdmin, matchedPair, type Agent } from './http.js';
import { startServer, type Hooks, type TestServer } from './server.js';
import { connectChat, type TestSocket } from './socket.js';

export interface MatchedPair {
  admin: Agent;
  mentor: Agent;
  mentee: Agent;
}

export interface ConnectedPair extends MatchedPair {
  menteeSocket: TestSocket;
  mentorSocket: TestSocket;
}

/** A fresh server (see `startServer`, `env` on top) with its admin signed in and one matched pair, both signed in. */
export async function startWithPair(t: Hooks, env: Record<string, string> = {}): Promise<MatchedPair & { server: TestServer }> {
  const server = await startServer(t, env);
  const admin = await loginAdmin(server.http);
  return { server, admin, ...(await matchedPair(admin)) };
}

/** `startWithPair` with both sides connected to their chat (see `connectedPair`). */
export async function startWithConnectedPair(t: Hooks, env: Record<string, string> = {}): Promise<ConnectedPair & { server: TestServer }> {
  const server = await startServer(t, env);
  return { server, ...(await connectedPair(server)) };
}

/**
 * Creates, matches and connects a pair: the mentee on `menteeServer`, the mentor on
 * `mentorServer` (the same one by default). The mentee's "mentor came online" presence
 * frame is read, so both sockets start with nothing queued.
 */
export async function connectedPair(menteeServer: TestServer, mentorServer = menteeServer): Promise<ConnectedPair> {
  const admin = await loginAdmin(menteeServer.http);
  const { mentor, mentee } = await matchedPair(admin);
  const menteeSocket = await connectChat(menteeServer.ws, mentor.email, mentee.cookie);
  const mentorSocket = await connectChat(mentorServer.ws, mentee.email, mentor.cookie);
  assert.deepEqual(await menteeSocket.next(), { type: 'presence', email: mentor.email, online: true });
  return { admin, mentor, mentee, menteeSocket, mentorSocket };
}
