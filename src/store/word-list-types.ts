/**
 * The coordinators' changes to the filter's word list, kept in the store so that every
 * instance applies the same list: each phrase (as its folded words) is either added or taken
 * off (a phrase of Tandem's safeguarding list or of MODERATION_WORDS_FILE). The last change of
 * a phrase wins.
 */
export interface WordListChange {
  /** The phrase as its folded words joined by one space: "Our  LITTLE secret" is "our little secret". */
  phrase: string;
  /** True: held by the filter; false: taken off the list. */
  listed: boolean;
  changedAt: Date;
}

export interface WordListStore {
  /** Every change, oldest first. */
  wordListChanges(): Promise<WordListChange[]>;
  /** Lists each of `add` and takes off each of `remove`, in one transaction. */
  changeWordList(add: readonly string[], remove: readonly string[]): Promise<void>;
}
