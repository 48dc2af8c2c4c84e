/**
 * The safeguarding methods of a Store engine, handed to the engine's own safeguarding part
 * (`sqlite-safeguarding.ts`, `postgres-safeguarding.ts`), so that each engine's main file
 * stays about messages, users and matches.
 */
import type { Message } from './message-types.js';
import type { AuditEntry, Erasure, HeldMessage, HoldResult, NewAuditEntry, NewHeldMessage, Paged, PairSummary, Report, SafeguardingStore } from './safeguarding-types.js';

export abstract class SafeguardingDelegate implements SafeguardingStore {
  protected abstract readonly safe: SafeguardingStore;

  holdMessage(message: NewHeldMessage): Promise<HoldResult> { return this.safe.holdMessage(message); }
  heldById(id: number): Promise<HeldMessage | null> { return this.safe.heldById(id); }
  heldByClientId(pairId: number, senderId: number, clientId: string): Promise<HeldMessage | null> {
    return this.safe.heldByClientId(pairId, senderId, clientId);
  }
  pendingHeld(limit: number, afterId?: number): Promise<Paged<HeldMessage>> { return this.safe.pendingHeld(limit, afterId); }
  approveHeld(id: number, actor: string): Promise<{ held: HeldMessage; message: Message }> { return this.safe.approveHeld(id, actor); }
  rejectHeld(id: number, actor: string, reason: string): Promise<HeldMessage> { return this.safe.rejectHeld(id, actor, reason); }
  ownUndelivered(pairId: number, senderId: number, from: Date | null, to: Date | null): Promise<HeldMessage[]> {
    return this.safe.ownUndelivered(pairId, senderId, from, to);
  }
  addViewedNotice(pairId: number, actorId: number, actorName: string): Promise<{ notice: Message; created: boolean }> {
    return this.safe.addViewedNotice(pairId, actorId, actorName);
  }
  messageById(id: number): Promise<Message | null> { return this.safe.messageById(id); }
  messagesUpTo(pairId: number, upto: { id: number } | { at: Date }, limit: number): Promise<Message[]> { return this.safe.messagesUpTo(pairId, upto, limit); }
  pairSummaries(): Promise<PairSummary[]> { return this.safe.pairSummaries(); }
  createReport(messageId: number, reporterId: number, reason: string): Promise<Report> { return this.safe.createReport(messageId, reporterId, reason); }
  reportById(id: number): Promise<Report | null> { return this.safe.reportById(id); }
  reports(options: { all: boolean; limit: number; afterId?: number }): Promise<Paged<Report>> { return this.safe.reports(options); }
  isReported(messageId: number): Promise<boolean> { return this.safe.isReported(messageId); }
  resolveReport(id: number, actor: string, note: string): Promise<Report> { return this.safe.resolveReport(id, actor, note); }
  deleteMessagesBefore(cutoff: Date, limit: number): Promise<number> { return this.safe.deleteMessagesBefore(cutoff, limit); }
  messagesOfUser(userId: number, afterId: number, limit: number): Promise<Message[]> { return this.safe.messagesOfUser(userId, afterId, limit); }
  pairSummariesOf(userId: number): Promise<PairSummary[]> { return this.safe.pairSummariesOf(userId); }
  heldOfUser(userId: number): Promise<HeldMessage[]> { return this.safe.heldOfUser(userId); }
  reportsByUser(userId: number): Promise<Report[]> { return this.safe.reportsByUser(userId); }
  auditOf(userId: number, pairIds: readonly number[]): Promise<AuditEntry[]> { return this.safe.auditOf(userId, pairIds); }
  wasErased(email: string): Promise<boolean> { return this.safe.wasErased(email); }
  eraseUser(userId: number): Promise<Erasure> { return this.safe.eraseUser(userId); }
  audit(entry: NewAuditEntry): Promise<AuditEntry> { return this.safe.audit(entry); }
  auditPage(limit: number, beforeId?: number): Promise<Paged<AuditEntry>> { return this.safe.auditPage(limit, beforeId); }
}
