/**
 * Message text with its web addresses as links people can tap: text nodes and `<a>` elements
 * built one by one (never HTML from the message), opening in a new tab with no window.opener
 * and no referrer.
 */
import { h } from '../shared/dom.js';

/** An http(s) address up to the next space or angle bracket or quote. */
const ADDRESS = /\bhttps?:\/\/[^\s"'<>]+/giu;
/** Punctuation that usually ends the sentence, not the address. */
const TRAILING = new Set(['.', ',', '!', '?', ':', ';', ')', ']', '}']);

/** `text` as nodes: plain text, and a link for every web address in it. */
export function linkedText(text: string): Node[] {
  const nodes: Node[] = [];
  let from = 0;
  for (const match of text.matchAll(ADDRESS)) {
    let address = match[0];
    while (address.length > 0 && TRAILING.has(address.at(-1)!)) address = address.slice(0, -1);
    if (!URL.canParse(address)) continue;
    const at = match.index;
    if (at > from) nodes.push(document.createTextNode(text.slice(from, at)));
    nodes.push(h('a', { href: address, target: '_blank', rel: 'noopener noreferrer' }, address));
    from = at + address.length;
  }
  if (from < text.length) nodes.push(document.createTextNode(text.slice(from)));
  return nodes;
}
