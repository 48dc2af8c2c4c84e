"""A Django project with the seed's models (``users.User``, ``chat.Message``) and the app, for the tests.

Tandem's address and secrets come from the environment (test/django.test.ts starts a real
Tandem and sets them); without TANDEM_URL the live tests are skipped.
"""
import os

SECRET_KEY = "tandem-django-tests-only"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "tests.seed.users",
    "tests.seed.chat",
    "tandem_django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.urls"
STATIC_URL = "/static/"  # the live server serves static files under it
AUTH_USER_MODEL = "users.User"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

TANDEM_URL = os.environ.get("TANDEM_URL", "")
TANDEM_API_KEY = os.environ.get("TANDEM_API_KEY", "")
TANDEM_JWT_SECRET = os.environ.get("TANDEM_JWT_SECRET", "a-secret-of-at-least-thirty-two-characters")
TANDEM_WEBHOOK_SECRET = os.environ.get("TANDEM_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
TANDEM_MESSAGE_MODEL = "chat.Message"
