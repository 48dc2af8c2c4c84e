"""A small client of Tandem's server API (PROTOCOL.md Part 5), with urllib only.

Every call is idempotent on Tandem's side, so the platform may retry any of them.
"""
import json
import urllib.error
import urllib.request
from urllib.parse import quote

from .conf import setting
from .identity import role_of


class TandemError(Exception):
    """Tandem refused a call (``status``, ``code`` as in Tandem's docs/errors.md) or could not be reached (status 0)."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class TandemClient:
    """``TandemClient()`` reads TANDEM_URL and TANDEM_API_KEY from the settings."""

    def __init__(self, base_url=None, api_key=None, timeout=5.0):
        self.base_url = (base_url or setting("TANDEM_URL", required=True)).rstrip("/")
        self.api_key = api_key or setting("TANDEM_API_KEY", required=True)
        self.timeout = timeout

    def _call(self, method, path, body=None, content_type="application/json", accept=(200, 201, 204)):
        data = None
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, text = response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as error:
            raise TandemError(0, "network", str(error)) from error
        parsed = json.loads(text) if text else None
        if status not in accept:
            code = parsed.get("error", "unknown") if isinstance(parsed, dict) else "unknown"
            message = parsed.get("message", text) if isinstance(parsed, dict) else text
            raise TandemError(status, code, message)
        return status, parsed

    def put_user(self, user=None, email=None, first_name="", last_name="", role=None):
        """Creates or updates a user (no password: they come in through proxy or jwt). Pass a
        Django user, or the fields. Returns True when created, False when updated."""
        if user is not None:
            email, first_name, last_name, role = user.email, user.first_name, user.last_name, role_of(user)
        body = {"first_name": first_name or email.split("@")[0], "last_name": last_name or "", "role": role}
        status, _ = self._call("PUT", f"/api/users/{quote(email, safe='')}", body, accept=(200, 201))
        return status == 201

    def put_match(self, mentee_email, mentor_email, replace=True):
        """Makes ``mentor_email`` the mentee's mentor (``replace`` ends another match first).
        Returns True when made, False when it already was so."""
        body = {"mentor_email": mentor_email, "replace": bool(replace)}
        status, _ = self._call("PUT", f"/api/matches/{quote(mentee_email, safe='')}", body, accept=(200, 201))
        return status == 201

    def end_match(self, mentee_email):
        """Ends the mentee's match; True when one was ended, False when there was none."""
        status, _ = self._call("DELETE", f"/api/matches/{quote(mentee_email, safe='')}", accept=(204, 404))
        return status == 204

    def import_history(self, lines):
        """Sends NDJSON lines (strings or dicts; see ``tandem_export``) to ``POST /api/import``
        and returns Tandem's report. A big history is better imported with ``npm run import``
        on Tandem's machine: the upload must arrive within its HTTP_REQUEST_TIMEOUT_MS."""
        body = "".join((line if isinstance(line, str) else json.dumps(line)).rstrip("\n") + "\n" for line in lines)
        _, report = self._call("POST", "/api/import", body.encode("utf-8"), content_type="application/x-ndjson", accept=(200,))
        return report
