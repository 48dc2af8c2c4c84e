/**
 * "Subscribe on first join, drop after last leave": one upstream subscription per key, shared
 * by every local member under that key. The hub keeps its rooms with it, the user channels
 * their users, and the Redis layer its Redis channels. A leaf: it knows none of them.
 */

/** What a key's members share; its owner may keep more beside them (the hub keeps a room's last `seq`). */
export interface Group<M> {
  readonly members: Set<M>;
}

export interface Upstream<K, M, S, G extends Group<M>> {
  /** The group of a key whose first member joins; the member is added to it right after. */
  create(key: K, first: M): G;
  /** Subscribes upstream for `group`; resolves once live (with whatever `unsubscribe` needs). */
  subscribe(key: K, group: G): Promise<S>;
  /**
   * The key's last member left. Called at once, with what `subscribe` returned, settled or
   * not, so that a drop and the next subscribe of the key reach the upstream in the order
   * they happened; an upstream that needs the subscription live first awaits it.
   */
  unsubscribe(key: K, subscribed: Promise<S>): Promise<unknown>;
}

interface Entry<S, G> {
  readonly group: G;
  readonly live: Promise<S>;
}

export class SharedSubscriptions<K, M, S, G extends Group<M> = Group<M>> {
  private readonly entries = new Map<K, Entry<S, G>>();

  constructor(private readonly upstream: Upstream<K, M, S, G>) {}

  /**
   * Adds `member`; a key's first member subscribes it. Resolves with the group once the
   * subscription is live. When it cannot be opened, rejects with the member removed, and the
   * next join subscribes afresh.
   */
  async join(key: K, member: M): Promise<G> {
    let entry = this.entries.get(key);
    if (!entry) {
      const group = this.upstream.create(key, member);
      // Called now, not a turn later, and a throw becomes a rejection like any other failure.
      const created: Entry<S, G> = { group, live: (async () => this.upstream.subscribe(key, group))() };
      created.live.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      this.entries.set(key, created);
      entry = created;
    }
    entry.group.members.add(member);
    try {
      await entry.live;
    } catch (error) {
      entry.group.members.delete(member);
      throw error;
    }
    return entry.group;
  }

  /**
   * Removes `member`; the key's last one drops the subscription. A drop that fails (or a
   * subscription that never opened) is not reported: nothing local listens either way.
   */
  async leave(key: K, member: M): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry || !entry.group.members.delete(member) || entry.group.members.size > 0) return;
    this.entries.delete(key);
    await (async () => this.upstream.unsubscribe(key, entry.live))().catch(() => {});
  }

  /** The group of `key`, while it has members (or its subscription is being opened). */
  get(key: K): G | undefined {
    return this.entries.get(key)?.group;
  }

  keys(): IterableIterator<K> {
    return this.entries.keys();
  }

  *groups(): IterableIterator<G> {
    for (const entry of this.entries.values()) yield entry.group;
  }

  /** Forgets every key without dropping anything (the upstream is closing). */
  clear(): void {
    this.entries.clear();
  }
}
