"""The seed's data as Tandem's import lines (NDJSON; see Tandem's docs/integrating.md).

The seed keeps matching on its ``User``: a mentee has ``isMatched`` and
``matchedMentorEmail``, a mentor lists mentee emails in ``current_mentees``; its consumer
lets a pair chat when the mentee's fields name the mentor and the mentor's list names the
mentee. A match line is written for each pair both sides agree on; a pair only one side
records is reported (the seed would not let both chat) and not written. Messages are the
seed's ``Message`` rows (``sender_email``, ``receiver_email``, ``content``, ``timestamp``,
``is_read``), oldest first, with the row's id as ``external_id``, so a re-run changes nothing.
"""
import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from .conf import setting
from .identity import role_of

BATCH = 2000


def _utc(moment):
    """An ISO-8601 UTC time with its ``Z``: a naive time is read in the project's TIME_ZONE."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _mentees_of(mentor):
    listed = getattr(mentor, "current_mentees", None) or []
    if isinstance(listed, str):  # a comma-separated text field in some deployments
        listed = [part for part in listed.split(",")]
    return {str(email).strip().lower() for email in listed if str(email).strip()}


def export_lines(include_admins=False, message_model=None, report=None):
    """Yields the import lines as dicts: users, then matches, then messages. ``report(text)``
    is called with each pair only one side records."""
    report = report or (lambda text: None)
    User = get_user_model()
    roles = {"MENTOR", "MENTEE"} | ({"ADMIN"} if include_admins else set())
    mentors, mentees = {}, {}
    for user in User.objects.order_by("pk").iterator():
        role = role_of(user)
        if role not in roles or not user.email:
            continue
        email = user.email.strip().lower()
        if role == "MENTOR":
            mentors[email] = user
        elif role == "MENTEE":
            mentees[email] = user
        yield {"kind": "user", "email": user.email, "first_name": user.first_name or email.split("@")[0], "last_name": user.last_name or "", "role": role}

    claimed_by_mentees = set()
    for email, mentee in mentees.items():
        mentor_email = (getattr(mentee, "matchedMentorEmail", None) or "").strip().lower()
        if not getattr(mentee, "isMatched", False) or not mentor_email:
            continue
        claimed_by_mentees.add((mentor_email, email))
        mentor = mentors.get(mentor_email)
        if mentor is None:
            report(f"{email}: matchedMentorEmail {mentor_email} is no mentor; not exported")
        elif email not in _mentees_of(mentor):
            report(f"{email}: {mentor_email} does not list her in current_mentees; not exported")
        else:
            yield {"kind": "match", "mentor_email": mentor.email, "mentee_email": mentee.email}
    for mentor_email, mentor in mentors.items():
        for mentee_email in sorted(_mentees_of(mentor)):
            if (mentor_email, mentee_email) not in claimed_by_mentees:
                report(f"{mentor_email}: lists {mentee_email} in current_mentees, whose own fields do not name this mentor; not exported")

    Message = apps.get_model(message_model or setting("TANDEM_MESSAGE_MODEL", "chat.Message"))
    rows = Message.objects.order_by("timestamp", "pk").values_list("pk", "sender_email", "receiver_email", "content", "timestamp", "is_read")
    for pk, sender, receiver, content, moment, is_read in rows.iterator(chunk_size=BATCH):
        yield {
            "kind": "message",
            "external_id": str(pk),
            "sender_email": sender,
            "receiver_email": receiver,
            "content": content,
            "timestamp": _utc(moment),
            "is_read": bool(is_read),
        }
