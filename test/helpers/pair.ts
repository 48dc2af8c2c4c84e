/** A matched pair with both sides connected: the fixture most chat tests start from. */
import assert from 'node:assert/strict';
import { loginAdmin, matchedPair, type Agent } from './http.js';
import type { TestServer } from './server.js';
import { connectChat, type TestSocket } from './socket.js';

export interface ConnectedPair {
  admin: Agent;
  mentor: Agent;
  mentee: Agent;
  menteeSocket: TestSocket;
  mentorSocket: TestSocket;
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
