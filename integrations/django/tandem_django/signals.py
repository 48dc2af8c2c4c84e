"""Django signals, one per Tandem webhook event type, sent by ``tandem_django.views.webhook``.

Each is sent with ``sender=None`` and the keyword arguments ``event_id`` (the
``webhook-id``: the dedup key, as deliveries are at-least-once), ``timestamp`` and ``data``
(the event's data, see Tandem's docs/webhooks.md). ``event_received`` is sent for every
event, with ``event_type`` too.
"""
from django.dispatch import Signal

event_received = Signal()
message_created = Signal()
message_unread = Signal()
message_held = Signal()
message_reported = Signal()
match_created = Signal()
match_ended = Signal()

BY_TYPE = {
    "message.created": message_created,
    "message.unread": message_unread,
    "message.held": message_held,
    "message.reported": message_reported,
    "match.created": match_created,
    "match.ended": match_ended,
}
