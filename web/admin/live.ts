/**
 * The admin page's live counts: held messages waiting, open reports, pairs at risk and failed
 * deliveries, beside the views' names. Read at sign-in, again after every `admin_changed`
 * signal of the admin's event stream (`/ws/me/`, fed by a layer broadcast from whichever
 * instance saw the hold, the report or the decision) and after every (re)connect of it,
 * since a signal sent while it was away is lost. `onChanged` re-reads the lists of what changed.
 */
import { UserEventStream, wsBaseOf, type AdminCounts, type TandemApi } from '../../src/client/index.js';
import type { AdminTopic } from '../../src/protocol/user-stream.js';
import { byId, setText } from '../shared/dom.js';
import { offerDeliveries } from './views.js';

const shown = (count: number) => (count >= 1000 ? '1000+' : String(count));
const plural = (count: number, one: string, many: string) => `${shown(count)} ${count === 1 ? one : many}`;

function showCounts(counts: AdminCounts): void {
  const waiting = [counts.held > 0 && plural(counts.held, 'held', 'held'), counts.reports > 0 && plural(counts.reports, 'report', 'reports')].filter(Boolean);
  setText(byId('count-safeguarding'), waiting.length === 0 ? '' : `(${waiting.join(', ')})`);
  setText(byId('count-at-risk'), counts.at_risk === 0 ? '' : `(${plural(counts.at_risk, 'pair at risk', 'pairs at risk')})`);
  setText(byId('count-deliveries'), counts.failed_deliveries === 0 ? '' : `(${plural(counts.failed_deliveries, 'failed', 'failed')})`);
  offerDeliveries(counts.webhooks || counts.failed_deliveries > 0);
  byId('admin-view').dataset['counts'] = `${counts.held},${counts.reports},${counts.at_risk},${counts.failed_deliveries}`;
}

export class LiveCounts {
  private stream: UserEventStream | null = null;
  /** One read at a time; a signal during a read asks for one more after it. */
  private reading: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly api: TandemApi,
    private readonly onChanged: (what: AdminTopic | 'all') => void,
  ) {}

  start(): void {
    if (this.stream) return;
    this.stream = new UserEventStream({ wsBase: wsBaseOf(location.origin), createSocket: (url) => new WebSocket(url) });
    this.stream.on('established', () => {
      this.refresh();
      this.onChanged('all');
    });
    this.stream.on('adminChanged', (what) => {
      this.refresh();
      this.onChanged(what);
    });
    this.stream.start();
  }

  stop(): void {
    this.stream?.close();
    this.stream = null;
  }

  /** Reads the counts now (or once more after the read under way). */
  refresh(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.api
      .adminCounts()
      .then(showCounts, () => {})
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }
}
