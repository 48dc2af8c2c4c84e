"""The settings the app reads, each with its default, read at call time (so tests can override them)."""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def setting(name, default=None, required=False):
    value = getattr(settings, name, default)
    if required and not value:
        raise ImproperlyConfigured(f"{name} must be set for Tandem (see tandem_django's README)")
    return value
