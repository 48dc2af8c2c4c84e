from django.apps import AppConfig


class TandemConfig(AppConfig):
    name = "tandem_django"
    verbose_name = "Tandem chat"
    default_auto_field = "django.db.models.AutoField"
