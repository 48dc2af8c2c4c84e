/** The table of failed webhook deliveries, each with a Retry button. */
import type { WebhookDelivery } from '../../src/protocol/webhooks.js';
import { h } from '../shared/dom.js';

/** Renders `deliveries` into `body`; `onRetry` gets the delivery whose button was pressed. */
export function renderDeliveries(body: HTMLTableSectionElement, deliveries: readonly WebhookDelivery[], onRetry: (delivery: WebhookDelivery) => void): void {
  body.replaceChildren(...deliveries.map((delivery) => deliveryRow(delivery, onRetry)));
}

function deliveryRow(delivery: WebhookDelivery, onRetry: (delivery: WebhookDelivery) => void): HTMLTableRowElement {
  const button = h('button', { type: 'button', 'aria-label': `Retry ${delivery.type} ${delivery.id}`, 'data-delivery': delivery.id }, 'Retry');
  button.addEventListener('click', () => {
    button.disabled = true;
    onRetry(delivery);
  });
  const created = new Date(delivery.created_at);
  return h(
    'tr',
    { 'data-delivery': delivery.id },
    h('td', { 'data-label': 'Event' }, delivery.type, h('span', { class: 'email' }, delivery.id)),
    h(
      'td',
      { 'data-label': 'Created' },
      h('time', { datetime: delivery.created_at }, created.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })),
    ),
    h('td', { 'data-label': 'Attempts' }, String(delivery.attempts)),
    h('td', { 'data-label': 'Last error' }, delivery.last_error ?? ''),
    h('td', {}, button),
  );
}
