/** The composer's character counter: "4812 / 5000" once a message nears the server's limit, in code points as the server counts. */
import { setText } from '../shared/dom.js';

/** The server's limit (code points), and from how many on the counter shows. */
const MAX_CHARACTERS = 5000;
const COUNT_FROM = 4500;

export function renderCount(counter: HTMLElement, text: string): void {
  const length = [...text.trim()].length;
  counter.hidden = length < COUNT_FROM;
  counter.classList.toggle('over', length > MAX_CHARACTERS);
  setText(counter, counter.hidden ? '' : `${length} / ${MAX_CHARACTERS}`);
}
