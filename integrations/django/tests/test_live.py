"""Against a real Tandem (test/django.test.ts starts it with AUTH=local,proxy,jwt, an API key,
and WEBHOOK_URL/AUTH_PROXY_URL pointing at this live server's port)."""
import io
from datetime import timedelta
import json
import os
import threading
import unittest
from urllib.parse import quote
import urllib.request

from django.core.management import call_command
from django.test import LiveServerTestCase

from tandem_django import signals
from tandem_django.client import TandemClient, TandemError
from tandem_django.tokens import mint_token
from tests.seed.chat.models import Message
from tests.seed.users.models import User
from tests.wsclient import Closed, WebSocket

TANDEM_URL = os.environ.get("TANDEM_URL", "")
PASSWORD = "a-platform-password"


def seed_pair(prefix):
    mentee_email, mentor_email = f"{prefix}-mentee@platform.test", f"{prefix}-mentor@platform.test"
    mentor = User.objects.create_user(username=f"{prefix}-mentor", email=mentor_email, password=PASSWORD, first_name="Maria", last_name="Silva",
                                      role="MENTOR", current_mentees=[mentee_email])
    mentee = User.objects.create_user(username=f"{prefix}-mentee", email=mentee_email, password=PASSWORD, first_name="Sam", last_name="Okafor",
                                      role="MENTEE", isMatched=True, matchedMentorEmail=mentor_email)
    return mentor, mentee


@unittest.skipUnless(TANDEM_URL, "needs a running Tandem (TANDEM_URL); test/django.test.ts provides one")
class LiveTandemTests(LiveServerTestCase):
    host = "127.0.0.1"
    port = int(os.environ.get("TANDEM_TEST_DJANGO_PORT", "0"))

    def setUp(self):
        self.tandem = TandemClient()
        self.ws_base = TANDEM_URL.replace("http://", "ws://")

    def sync(self, mentor, mentee):
        self.tandem.put_user(mentor)
        self.tandem.put_user(mentee)
        self.assertTrue(self.tandem.put_match(mentee.email, mentor.email))
        self.assertFalse(self.tandem.put_match(mentee.email, mentor.email), "a retry changes nothing")

    def test_a_seed_style_client_connects_with_only_the_django_session_cookie(self):
        mentor, mentee = seed_pair("proxy")
        self.sync(mentor, mentee)
        self.assertTrue(self.client.login(username=mentee.username, password=PASSWORD))
        cookie = f"sessionid={self.client.cookies['sessionid'].value}"
        socket = WebSocket(f"{self.ws_base}/ws/chat/{quote(mentor.email)}/", cookie=cookie)
        self.addCleanup(socket.close)
        self.assertEqual(socket.receive()["type"], "connection_established")
        socket.send({"type": "chat_message", "content": "Hello from the seed's page"})
        echoed = socket.receive()
        while echoed["type"] != "chat_message":
            echoed = socket.receive()
        self.assertEqual((echoed["sender_email"], echoed["content"]), (mentee.email, "Hello from the seed's page"))

        stranger = WebSocket(f"{self.ws_base}/ws/chat/{quote(mentor.email)}/", cookie="sessionid=not-a-session")
        with self.assertRaises(Closed) as closed:
            stranger.receive()
        self.assertEqual(closed.exception.code, 4001)

    def test_a_minted_token_connects_and_calls_the_api(self):
        mentor, mentee = seed_pair("jwt")
        self.sync(mentor, mentee)
        token = mint_token(mentor)
        socket = WebSocket(f"{self.ws_base}/ws/chat/{quote(mentee.email)}/?token={token}")
        self.addCleanup(socket.close)
        self.assertEqual(socket.receive()["type"], "connection_established")
        request = urllib.request.Request(f"{TANDEM_URL}/api/me", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            me = json.loads(response.read())
        self.assertEqual(me["user"]["email"], mentor.email)
        self.assertEqual([p["email"] for p in me["partners"]], [mentee.email])

    def test_tandem_signed_webhooks_are_accepted_and_become_signals(self):
        arrived = threading.Event()
        seen = []

        def on_match(sender, event_id, timestamp, data, **kwargs):
            if data.get("mentee", {}).get("email") == "hook-mentee@platform.test":
                seen.append(event_id)
                arrived.set()

        signals.match_created.connect(on_match)
        self.addCleanup(signals.match_created.disconnect, on_match)
        mentor, mentee = seed_pair("hook")
        self.sync(mentor, mentee)
        self.assertTrue(arrived.wait(20), "Tandem's match.created reached the webhook view and its signal")
        self.assertTrue(seen[0])
        self.assertTrue(self.tandem.end_match(mentee.email))
        self.assertFalse(self.tandem.end_match(mentee.email), "nothing left to end")

    def test_the_export_of_the_seed_models_is_accepted_by_the_import(self):
        mentor, mentee = seed_pair("export")
        half = User.objects.create_user(username="export-half", email="export-half@platform.test", password=PASSWORD, role="MENTEE",
                                        isMatched=True, matchedMentorEmail=mentor.email)
        for minutes, (sender, receiver, text, read) in enumerate(
            [(mentee, mentor, "Hi Maria!", True), (mentor, mentee, "Hi Sam, welcome.", True), (mentee, mentor, "See you Thursday", False)]
        ):
            message = Message.objects.create(sender_email=sender.email, receiver_email=receiver.email, content=text, is_read=read)
            Message.objects.filter(pk=message.pk).update(timestamp=message.timestamp.replace(year=2025) + timedelta(minutes=minutes))
        out, err = io.StringIO(), io.StringIO()
        call_command("tandem_export", stdout=out, stderr=err)
        self.assertIn(f"{half.email}: {mentor.email} does not list her", err.getvalue())
        lines = out.getvalue().splitlines()
        report = self.tandem.import_history(lines)
        self.assertEqual(report["refused_total"], 0, report["refused"])
        self.assertEqual((report["users"]["created"], report["matches"]["created"], report["messages"]["created"]), (3, 1, 3))
        again = self.tandem.import_history(lines)
        self.assertEqual((again["messages"]["unchanged"], again["matches"]["unchanged"]), (3, 1))

        token = mint_token(mentor)
        request = urllib.request.Request(f"{TANDEM_URL}/api/chat/{quote(mentee.email)}/messages", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            history = json.loads(response.read())["messages"]
        self.assertEqual([(m["content"], m["is_read"]) for m in history], [("Hi Maria!", True), ("Hi Sam, welcome.", True), ("See you Thursday", False)])

    def test_the_client_reports_tandems_refusals(self):
        with self.assertRaises(TandemError) as refused:
            self.tandem.put_match("nobody@platform.test", "nobody-else@platform.test")
        self.assertEqual((refused.exception.status, refused.exception.code), (404, "user_not_found"))
        with self.assertRaises(TandemError) as unauthorised:
            TandemClient(api_key="not-the-key-at-all").put_user(email="x@platform.test", role="MENTEE")
        self.assertEqual(unauthorised.exception.status, 401)
