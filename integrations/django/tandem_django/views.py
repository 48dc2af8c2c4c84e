"""The views a platform routes to (see ``tandem_django.urls``).

- ``whoami``: Tandem's AUTH_PROXY_URL. 200 with the signed-in user, 401 for nobody, 403 for a
  user with no chat role.
- ``token``: a fresh token (text/plain) for AUTH=jwt, for the typed client's ``getToken``.
- ``webhook``: Tandem's WEBHOOK_URL. Verifies the signature and timestamp, then sends the
  event's signal (``tandem_django.signals``); 204 when handled, 400 when not genuine.
"""
import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import signals
from .conf import setting
from .identity import tandem_user
from .tokens import mint_token
from .webhooks import DEFAULT_TOLERANCE_SECONDS, WebhookVerificationError, verify


def _signed_in_user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@require_GET
def whoami(request):
    user = _signed_in_user(request)
    if user is None:
        return JsonResponse({"detail": "not signed in"}, status=401)
    answer = tandem_user(user)
    if answer["role"] is None:
        return JsonResponse({"detail": "no chat role"}, status=403)
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def token(request):
    user = _signed_in_user(request)
    if user is None:
        return HttpResponse("not signed in", status=401, content_type="text/plain")
    try:
        minted = mint_token(user)
    except ValueError:
        return HttpResponse("no chat role", status=403, content_type="text/plain")
    response = HttpResponse(minted, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def webhook(request):
    secret = setting("TANDEM_WEBHOOK_SECRET", required=True)
    tolerance = setting("TANDEM_WEBHOOK_TOLERANCE", DEFAULT_TOLERANCE_SECONDS)
    body = request.body
    try:
        event_id, timestamp = verify(secret, request.headers, body, tolerance=tolerance)
        event = json.loads(body)
        event_type, data = event["type"], event.get("data", {})
    except (WebhookVerificationError, ValueError, KeyError, TypeError) as error:
        return JsonResponse({"detail": f"refused: {error}"}, status=400)
    arguments = {"event_id": event_id, "timestamp": timestamp, "data": data}
    signals.event_received.send(sender=None, event_type=event_type, **arguments)
    specific = signals.BY_TYPE.get(event_type)
    if specific is not None:
        specific.send(sender=None, **arguments)
    return HttpResponse(status=204)
