/**
 * One action menu per message instead of a row of buttons: a "⋯" button (out of the Tab
 * order: the arrow keys reach messages, Enter opens the focused one's menu) that opens a small
 * menu whose every item names its object ("Report message from Mia Lee, 11:07"). Escape or a
 * click elsewhere closes it and gives focus back.
 */
import { h } from '../shared/dom.js';

export interface MessageAction {
  /** The verb, as the menu shows it ("Report"). */
  label: string;
  run: () => void;
}

let open: { menu: HTMLElement; button: HTMLButtonElement } | null = null;

/** Closes the open menu; `refocus` gives focus back to its button. */
export function closeActionMenu(refocus = false): void {
  if (!open) return;
  const { menu, button } = open;
  open = null;
  menu.remove();
  button.setAttribute('aria-expanded', 'false');
  if (refocus) button.focus();
}

document.addEventListener('click', (event) => {
  if (open && !open.menu.contains(event.target as Node) && event.target !== open.button) closeActionMenu();
});

/** The "⋯" button of a message described as `what` ("message from Mia Lee, 11:07"), opening `actions`. */
export function actionButton(what: string, actions: () => MessageAction[]): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'quiet message-actions', tabindex: '-1', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-label': `Actions for ${what}` },
    '⋯',
  );
  button.addEventListener('click', () => {
    const wasOpen = open?.button === button;
    closeActionMenu();
    if (!wasOpen) openMenu(button, what, actions());
  });
  return button;
}

function openMenu(button: HTMLButtonElement, what: string, actions: MessageAction[]): void {
  const items = actions.map((action) => {
    const item = h('button', { type: 'button', role: 'menuitem', tabindex: '-1' }, `${action.label} ${what}`);
    item.addEventListener('click', () => {
      closeActionMenu();
      action.run();
    });
    return item;
  });
  const menu = h('div', { role: 'menu', class: 'action-menu', 'aria-label': `Actions for ${what}` }, ...items);
  menu.addEventListener('keydown', (event) => {
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'Escape') closeActionMenu(true);
    else if (event.key === 'ArrowDown') items[(at + 1) % items.length]?.focus();
    else if (event.key === 'ArrowUp') items[(at - 1 + items.length) % items.length]?.focus();
    else if (event.key === 'Tab') closeActionMenu();
    else return;
    event.preventDefault();
    event.stopPropagation();
  });
  button.after(menu);
  button.setAttribute('aria-expanded', 'true');
  open = { menu, button };
  items[0]?.focus();
}
