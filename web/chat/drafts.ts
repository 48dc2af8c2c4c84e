/**
 * What the user was writing to each partner, kept across reloads in the page's storage, per
 * signed-in user. A full or disabled storage only loses the draft on reload.
 */
export class Drafts {
  /** `owner` names the signed-in user; `storage` is null where the page has none. */
  constructor(
    private readonly owner: () => string,
    private readonly storage: Storage | null,
  ) {}

  read(partnerEmail: string): string {
    try {
      return this.storage?.getItem(this.key(partnerEmail)) ?? '';
    } catch {
      return '';
    }
  }

  /** Keeps `text` as the draft to `partnerEmail`; an empty one is forgotten. */
  save(partnerEmail: string, text: string): void {
    if (!this.storage) return;
    try {
      if (text === '') this.storage.removeItem(this.key(partnerEmail));
      else this.storage.setItem(this.key(partnerEmail), text);
    } catch {
      // Nothing to do: the draft is simply not kept.
    }
  }

  private key(partnerEmail: string): string {
    return `tandem.draft:${this.owner()}:${partnerEmail}`;
  }
}
