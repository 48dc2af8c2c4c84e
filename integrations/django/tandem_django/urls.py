"""``path("tandem/", include("tandem_django.urls"))`` gives ``tandem/whoami``, ``tandem/token`` and ``tandem/webhook``."""
from django.urls import path

from . import views

app_name = "tandem"
urlpatterns = [
    path("whoami", views.whoami, name="whoami"),
    path("token", views.token, name="token"),
    path("webhook", views.webhook, name="webhook"),
]
