from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "tests.seed.users"
    label = "users"
