/**
 * The chat page's announcements from the programme's coordinators: the newest few not yet
 * dismissed, above the conversations — those made while the user was away (read from the
 * list at sign-in) and those that arrive live on the event stream. Dismissing remembers the
 * newest id dismissed on this device.
 */
import { announcements, type AnnouncementEntry, type TandemClient } from '../../src/client/index.js';
import { byId, h } from '../shared/dom.js';

const SHOWN = 3;
const DISMISSED_KEY = 'tandem.announcements.dismissed';

interface Shown {
  announcement_id: string;
  content: string;
  timestamp: string;
}

const idOf = (entry: Shown) => Number(entry.announcement_id);

export class AnnouncementBanner {
  private entries: Shown[] = [];

  constructor(
    private readonly client: TandemClient,
    private readonly storage: Storage | null,
  ) {
    client.on('announcement', (frame) => {
      if (this.entries.some((entry) => entry.announcement_id === frame.announcement_id)) return;
      this.entries.push(frame);
      this.render();
    });
  }

  /** Signed out: nothing shows until the next sign-in reads them again. */
  hide(): void {
    this.entries = [];
    byId('announcements').hidden = true;
  }

  /** Reads the announcements addressed to the user (after sign-in). */
  async load(): Promise<void> {
    let listed: AnnouncementEntry[];
    try {
      listed = await announcements(this.client.api);
    } catch {
      return; // A courtesy: the chat works without them.
    }
    const known = new Set(this.entries.map((entry) => entry.announcement_id));
    this.entries.push(...listed.filter((entry) => !known.has(entry.announcement_id)));
    this.render();
  }

  private dismissedUpTo(): number {
    return Number(this.storage?.getItem(DISMISSED_KEY) ?? 0) || 0;
  }

  private render(): void {
    const upTo = this.dismissedUpTo();
    const visible = this.entries
      .filter((entry) => idOf(entry) > upTo)
      .sort((a, b) => idOf(b) - idOf(a))
      .slice(0, SHOWN);
    const region = byId('announcements');
    region.hidden = visible.length === 0;
    byId('announcement-list').replaceChildren(
      ...visible.map((entry) => {
        const when = new Date(entry.timestamp).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
        const dismiss = h('button', { type: 'button', class: 'quiet', 'aria-label': `Dismiss the announcement of ${when}` }, 'Dismiss');
        dismiss.addEventListener('click', () => {
          this.storage?.setItem(DISMISSED_KEY, String(Math.max(upTo, idOf(entry))));
          this.render();
        });
        return h(
          'li',
          { 'data-announcement': entry.announcement_id },
          h('p', {}, entry.content),
          h('p', { class: 'hint' }, `From your programme, ${when}`),
          dismiss,
        );
      }),
    );
  }
}
