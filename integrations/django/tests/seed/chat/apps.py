from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "tests.seed.chat"
    label = "chat"
