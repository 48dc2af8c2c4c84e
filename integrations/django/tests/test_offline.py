"""What needs no Tandem: the webhook check, token minting, the export's lines."""
import base64
import hashlib
import hmac
import io
import json
import time
from datetime import datetime, timedelta, timezone as dt_timezone

from django.core.management import call_command
from django.test import TestCase, override_settings

from tandem_django import signals
from tandem_django.tokens import mint_token
from tandem_django.webhooks import WebhookVerificationError, sign, verify
from tests.seed.chat.models import Message
from tests.seed.users.models import User

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def unpadded(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@override_settings(TANDEM_WEBHOOK_SECRET=SECRET)
class WebhookCheckTests(TestCase):
    def headers(self, body, event_id="msg_1", stamp=None, secret=SECRET):
        stamp = str(int(time.time())) if stamp is None else stamp
        return {"webhook-id": event_id, "webhook-timestamp": stamp, "webhook-signature": sign(secret, event_id, stamp, body)}

    def test_accepts_a_signed_request_among_several_signatures(self):
        body = b'{"type":"match.created"}'
        headers = self.headers(body)
        headers["webhook-signature"] = "v1,bm90IGl0 " + headers["webhook-signature"]
        self.assertEqual(verify(SECRET, headers, body)[0], "msg_1")

    def test_refuses_a_changed_body_a_wrong_secret_an_old_or_future_timestamp_and_missing_headers(self):
        body = b'{"type":"match.created"}'
        cases = {
            "changed body": (self.headers(body), body + b" "),
            "wrong secret": (self.headers(body, secret="whsec_" + base64.b64encode(b"x" * 24).decode()), body),
            "stale": (self.headers(body, stamp=str(int(time.time()) - 301)), body),
            "future": (self.headers(body, stamp=str(int(time.time()) + 301)), body),
            "not a number": (self.headers(body, stamp="soon"), body),
            "no signature": ({"webhook-id": "msg_1", "webhook-timestamp": str(int(time.time()))}, body),
        }
        for name, (headers, sent) in cases.items():
            with self.subTest(name):
                with self.assertRaises(WebhookVerificationError):
                    verify(SECRET, headers, sent)

    def test_the_view_sends_the_signal_of_the_event_and_refuses_a_forgery(self):
        seen = []
        handler = lambda sender, **kwargs: seen.append(kwargs)  # noqa: E731
        signals.match_ended.connect(handler)
        self.addCleanup(signals.match_ended.disconnect, handler)
        body = json.dumps({"type": "match.ended", "timestamp": "2026-01-01T00:00:00Z", "data": {"reason": "x"}}).encode()
        good = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in self.headers(body, event_id="msg_9").items()}
        forged = dict(good, HTTP_WEBHOOK_SIGNATURE="v1," + base64.b64encode(b"f" * 32).decode())
        self.assertEqual(self.client.post("/tandem/webhook", body, content_type="application/json", **forged).status_code, 400)
        self.assertEqual(seen, [])
        self.assertEqual(self.client.post("/tandem/webhook", body, content_type="application/json", **good).status_code, 204)
        self.assertEqual([(s["event_id"], s["data"]) for s in seen], [("msg_9", {"reason": "x"})])


@override_settings(TANDEM_JWT_SECRET="s" * 32, TANDEM_JWT_ISSUER="https://platform.test", TANDEM_JWT_AUDIENCE="tandem")
class TokenTests(TestCase):
    def test_mints_hs256_with_the_claims_tandem_reads(self):
        user = User.objects.create(username="ann", email="ann@platform.test", first_name="Ann", last_name="Bo", role="MENTEE")
        token = mint_token(user, lifetime=600, now=1_700_000_000)
        header, payload, signature = token.split(".")
        self.assertEqual(json.loads(unpadded(header)), {"alg": "HS256", "typ": "JWT"})
        expected = hmac.new(b"s" * 32, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        self.assertTrue(hmac.compare_digest(unpadded(signature), expected))
        self.assertEqual(
            json.loads(unpadded(payload)),
            {"sub": str(user.pk), "email": "ann@platform.test", "role": "MENTEE", "given_name": "Ann", "family_name": "Bo",
             "iat": 1_700_000_000, "exp": 1_700_000_600, "iss": "https://platform.test", "aud": "tandem"},
        )

    def test_refuses_a_user_with_no_chat_role(self):
        user = User.objects.create(username="x", email="x@platform.test", role="")
        with self.assertRaises(ValueError):
            mint_token(user)


@override_settings(TANDEM_JWT_SECRET="s" * 32)
class IdentityViewTests(TestCase):
    def test_whoami_answers_the_session_user_and_refuses_nobody_and_no_role(self):
        self.assertEqual(self.client.get("/tandem/whoami").status_code, 401)
        self.assertEqual(self.client.get("/tandem/token").status_code, 401)
        user = User.objects.create_user(username="cy", email="cy@platform.test", password="pw-long-enough", first_name="Cy", role="MENTOR")
        self.client.force_login(user)
        answer = self.client.get("/tandem/whoami")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json(), {"id": str(user.pk), "email": "cy@platform.test", "first_name": "Cy", "last_name": "", "role": "MENTOR"})
        token = self.client.get("/tandem/token")
        self.assertEqual((token.status_code, token["Content-Type"]), (200, "text/plain"))
        self.assertEqual(json.loads(unpadded(token.content.decode().split(".")[1]))["sub"], str(user.pk))
        User.objects.filter(pk=user.pk).update(role="")
        self.assertEqual(self.client.get("/tandem/whoami").status_code, 403)
        self.assertEqual(self.client.get("/tandem/token").status_code, 403)


class ExportTests(TestCase):
    def test_writes_users_agreed_matches_and_messages_oldest_first_in_utc(self):
        User.objects.create(username="m", email="m@seed.test", first_name="Maria", role="MENTOR", current_mentees=["a@seed.test"])
        User.objects.create(username="a", email="a@seed.test", first_name="Ana", role="MENTEE", isMatched=True, matchedMentorEmail="m@seed.test")
        User.objects.create(username="b", email="b@seed.test", first_name="Ben", role="MENTEE", isMatched=True, matchedMentorEmail="m@seed.test")
        User.objects.create(username="admin", email="admin@seed.test", role="ADMIN")
        later = Message.objects.create(sender_email="m@seed.test", receiver_email="a@seed.test", content="Second", is_read=False)
        first = Message.objects.create(sender_email="a@seed.test", receiver_email="m@seed.test", content="First", is_read=True)
        Message.objects.filter(pk=first.pk).update(timestamp=datetime(2025, 1, 6, 9, 0, tzinfo=dt_timezone.utc))
        Message.objects.filter(pk=later.pk).update(timestamp=datetime(2025, 1, 6, 9, 0, tzinfo=dt_timezone.utc) + timedelta(minutes=5))
        out, err = io.StringIO(), io.StringIO()
        call_command("tandem_export", stdout=out, stderr=err)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        self.assertEqual([line["kind"] for line in lines], ["user"] * 3 + ["match"] + ["message"] * 2)
        self.assertNotIn("admin@seed.test", out.getvalue())
        self.assertEqual(lines[3], {"kind": "match", "mentor_email": "m@seed.test", "mentee_email": "a@seed.test"})
        self.assertEqual(
            lines[4],
            {"kind": "message", "external_id": str(first.pk), "sender_email": "a@seed.test", "receiver_email": "m@seed.test",
             "content": "First", "timestamp": "2025-01-06T09:00:00Z", "is_read": True},
        )
        self.assertEqual(lines[5]["content"], "Second")
        self.assertIn("b@seed.test: m@seed.test does not list her in current_mentees", err.getvalue())
        self.assertIn("exported 3 users, 1 matches, 2 messages", err.getvalue())
