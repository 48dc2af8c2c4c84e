/**
 * Arrow keys move through the messages of the log (Up, Down, Home, End), each message taking
 * focus in turn; Enter on a message opens its action menu. The log itself is the one Tab stop.
 */
const MESSAGES = '#message-list > li.message, #message-list > li.notice';

export function enableMessageKeys(log: HTMLElement): void {
  log.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target as HTMLElement;
    if (target.closest('[role="menu"]')) return;
    const items = [...log.querySelectorAll<HTMLElement>(MESSAGES)];
    if (items.length === 0) return;
    const current = target.closest<HTMLElement>('#message-list > li');
    const at = current ? items.indexOf(current) : -1;
    let next: HTMLElement | undefined;
    switch (event.key) {
      case 'ArrowUp':
        next = at < 0 ? items.at(-1) : items[Math.max(0, at - 1)];
        break;
      case 'ArrowDown':
        next = at < 0 ? items.at(-1) : items[Math.min(items.length - 1, at + 1)];
        break;
      case 'Home':
        next = items[0];
        break;
      case 'End':
        next = items.at(-1);
        break;
      case 'Enter':
        if (current && target === current) current.querySelector<HTMLButtonElement>('.message-actions')?.click();
        else return;
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    if (!next) return;
    next.tabIndex = -1;
    next.focus();
    next.scrollIntoView({ block: 'nearest' });
  });
}
