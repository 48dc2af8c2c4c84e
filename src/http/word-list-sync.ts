/**
 * The filter's word list as every instance applies it: Tandem's safeguarding list and
 * MODERATION_WORDS_FILE, with the coordinators' changes from the store on top. A change is
 * stored, applied here, then announced on the layer (`word_list_changed`), and every instance
 * reads the changes again; it also reads them after a layer reconnect (an announcement may have
 * been lost) and every 30 s, so that no instance holds an old list for long.
 */
import type { ChannelLayer } from '../layer/index.js';
import { composeWordList, phrasesOf, SAFEGUARDING_WORDS_TEXT, type MessageFilter } from '../moderation/filter.js';
import type { Store, WordListChange } from '../store/index.js';

const RELOAD_MS = 30_000;

/** What an instance applies, as the API shows it. */
export interface WordListState {
  tandem: string[];
  file: string[];
  added: string[];
  removed: string[];
  /** How many phrases the filter holds. */
  phrases: number;
  /** The newest change this instance applies; null before any. */
  appliedAt: Date | null;
}

export class WordListSync {
  private readonly tandem = phrasesOf(SAFEGUARDING_WORDS_TEXT);
  private readonly file: string[];
  private state: WordListState;
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly deps: {
      store: Store;
      layer: ChannelLayer;
      filter: MessageFilter | null;
      fileText: string;
      onError: (error: unknown, context: string) => void;
    },
  ) {
    this.file = phrasesOf(deps.fileText);
    this.state = this.compose([]);
  }

  /** Reads the changes now, and again on every announcement, layer reconnect and period. */
  start(): void {
    const reload = () => void this.reload().catch((error: unknown) => this.deps.onError(error, 'reading the word list'));
    this.stops.push(
      this.deps.layer.onBroadcast((event) => {
        if (event.kind === 'word_list_changed') reload();
      }),
    );
    this.stops.push(this.deps.layer.onReconnect(reload));
    const timer = setInterval(reload, RELOAD_MS);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
    reload();
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  get current(): WordListState {
    return this.state;
  }

  async reload(): Promise<WordListState> {
    this.state = this.compose(await this.deps.store.moderation.wordListChanges());
    return this.state;
  }

  /** Stores a change, applies it here, and tells every instance; a lost announcement is made up by the next period. */
  async change(add: readonly string[], remove: readonly string[]): Promise<WordListState> {
    await this.deps.store.moderation.changeWordList(add, remove);
    const state = await this.reload();
    await this.deps.layer.broadcast({ kind: 'word_list_changed' }).catch((error: unknown) => this.deps.onError(error, 'announcing a word list change'));
    return state;
  }

  private compose(changes: readonly WordListChange[]): WordListState {
    const base = [...new Set([...this.tandem, ...this.file])];
    const { list, phrases } = composeWordList(base, changes);
    this.deps.filter?.setWords(list);
    const inBase = new Set(base);
    const latest = new Map(changes.map((change) => [change.phrase, change.listed]));
    return {
      tandem: this.tandem,
      file: this.file,
      added: [...latest].filter(([phrase, listed]) => listed && !inBase.has(phrase)).map(([phrase]) => phrase),
      removed: [...latest].filter(([phrase, listed]) => !listed && inBase.has(phrase)).map(([phrase]) => phrase),
      phrases: phrases.length,
      appliedAt: changes.reduce<Date | null>((newest, change) => (newest === null || change.changedAt > newest ? change.changedAt : newest), null),
    };
  }
}
