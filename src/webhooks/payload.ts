/**
 * The body of each event type, built from what the store holds when the event is first
 * sent; null when nothing is owed any more (the message is gone, nothing is unread).
 */
import { senderOf, toHeldEcho, toWireMessage } from '../chat/wire-message.js';
import type { HistoryMessage, PublicUser } from '../protocol/http.js';
import { AT_RISK_REASONS, type AtRiskReason, type WebhookBody } from '../protocol/webhooks.js';
import type { Message, User, WebhookEvent, WebhookFacts } from '../store/index.js';

const person = (user: User): PublicUser => ({ email: user.email, first_name: user.firstName, last_name: user.lastName, role: user.role });

const historyMessage = (message: Message, facts: WebhookFacts): HistoryMessage => {
  const sender = senderOf(message, facts.mentor, facts.mentee);
  return { ...toWireMessage(message, sender, sender === facts.mentor ? facts.mentee : facts.mentor), is_read: message.isRead };
};

/** The reasons an at-risk event carries, as the job wrote them (only names Tandem knows). */
function atRiskReasonsOf(event: WebhookEvent): AtRiskReason[] {
  const reasons = event.detail?.reasons ?? [];
  return AT_RISK_REASONS.filter((reason) => reasons.includes(reason));
}

/** The JSON body of `event`, or null when it no longer has anything to say. */
export function webhookBody(event: WebhookEvent, facts: WebhookFacts): WebhookBody | null {
  const timestamp = event.createdAt.toISOString();
  switch (event.type) {
    case 'message.created': {
      if (!facts.message) return null;
      const receiver = facts.message.senderId === facts.mentor.id ? facts.mentee : facts.mentor;
      return { type: event.type, timestamp, data: { ...historyMessage(facts.message, facts), receiver_email: receiver.email } };
    }
    case 'message.unread': {
      if (facts.unreadCount === 0 || !facts.oldestUnread) return null;
      const recipient = event.recipientId === facts.mentor.id ? facts.mentor : facts.mentee;
      const partner = recipient === facts.mentor ? facts.mentee : facts.mentor;
      return {
        type: event.type,
        timestamp,
        data: {
          recipient: person(recipient),
          partner: person(partner),
          unread_count: facts.unreadCount,
          oldest_unread: historyMessage(facts.oldestUnread, facts),
        },
      };
    }
    case 'match.created':
    case 'match.ended':
      return {
        type: event.type,
        timestamp,
        data: { mentor: person(facts.mentor), mentee: person(facts.mentee), actor: event.detail?.actor ?? null, reason: event.detail?.reason ?? null },
      };
    case 'message.held': {
      if (!facts.held) return null;
      const [sender, receiver] = facts.held.senderId === facts.mentor.id ? [facts.mentor, facts.mentee] : [facts.mentee, facts.mentor];
      // The event tells of the hold: whatever was decided since, the message was held then.
      const { type: _frame, ...echo } = toHeldEcho(facts.held, sender);
      return { type: event.type, timestamp, data: { ...echo, status: 'held', receiver_email: receiver.email } };
    }
    case 'pair.at_risk':
    case 'pair.recovered':
      return { type: event.type, timestamp, data: { mentor: person(facts.mentor), mentee: person(facts.mentee), reasons: atRiskReasonsOf(event) } };
    case 'message.reported': {
      if (!facts.report) return null;
      const { report, message } = facts.report;
      const reporter = report.reporterId === facts.mentor.id ? facts.mentor : facts.mentee;
      return {
        type: event.type,
        timestamp,
        data: { report_id: String(report.id), message: historyMessage(message, facts), reporter: person(reporter), reason: report.reason },
      };
    }
  }
}
