/**
 * The admin page's views (People, Matches, Safeguarding, Programme, Deliveries): a nav of
 * links, one view shown at a time. The URL's hash keeps the view, so a reload, a bookmark and
 * the browser's back button return to it; the current link says so (`aria-current`), and a
 * change the person made moves focus to the view's heading, where a screen reader starts.
 */
import { byId } from '../shared/dom.js';

export const VIEWS = ['people', 'matches', 'safeguarding', 'programme', 'deliveries'] as const;
export type AdminView = (typeof VIEWS)[number];

const isView = (name: string): name is AdminView => (VIEWS as readonly string[]).includes(name);

/** The view the hash names; People when it names none (or a hidden one). */
export function currentView(): AdminView {
  const name = location.hash.slice(1);
  return isView(name) && !navItem(name).hidden ? name : 'people';
}

function navItem(view: AdminView): HTMLElement {
  return link(view).parentElement!;
}

function link(view: AdminView): HTMLAnchorElement {
  return document.querySelector<HTMLAnchorElement>(`nav.views a[data-view="${view}"]`)!;
}

/** Shows `view`'s section and marks its link; `focus` moves focus to its heading. */
function show(view: AdminView, focus: boolean): void {
  for (const each of VIEWS) {
    byId(`view-${each}`).hidden = each !== view;
    if (each === view) link(each).setAttribute('aria-current', 'page');
    else link(each).removeAttribute('aria-current');
  }
  if (focus) byId(`view-${view}`).querySelector<HTMLElement>('h1')?.focus();
}

/** Follows the hash from now on; `onShow` hears of every view shown (to re-read its lists). */
export function followViews(onShow: (view: AdminView) => void): void {
  window.addEventListener('hashchange', () => {
    const view = currentView();
    show(view, true);
    onShow(view);
  });
  show(currentView(), false);
}

/** Offers the Deliveries view or takes it away (no webhook endpoint: nothing is delivered). */
export function offerDeliveries(offered: boolean): void {
  navItem('deliveries').hidden = !offered;
  if (!offered && location.hash === '#deliveries') show('people', false);
}
