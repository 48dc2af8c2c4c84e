"""The seed's ``chat.Message``: the two people by email (strings, not foreign keys)."""
from django.db import models


class Message(models.Model):
    sender_email = models.EmailField()
    receiver_email = models.EmailField()
    content = models.TextField()
    timestamp = models.DateTimeField(auto_now_add=True)
    is_read = models.BooleanField(default=False)

    class Meta:
        app_label = "chat"
        ordering = ["timestamp"]

    @classmethod
    def mark_as_read(cls, receiver_email, sender_email):
        return cls.objects.filter(receiver_email=receiver_email, sender_email=sender_email, is_read=False).update(is_read=True)
