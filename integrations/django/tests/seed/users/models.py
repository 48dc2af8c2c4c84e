"""The seed's ``users.User``, as its chat consumer reads it: ``role``, and matching kept on the
user (a mentee's ``isMatched`` and ``matchedMentorEmail``, a mentor's ``current_mentees``)."""
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    email = models.EmailField(unique=True)
    role = models.CharField(max_length=10, choices=[("MENTOR", "Mentor"), ("MENTEE", "Mentee"), ("ADMIN", "Admin")])
    isMatched = models.BooleanField(default=False)
    matchedMentorEmail = models.EmailField(null=True, blank=True)
    current_mentees = models.JSONField(default=list, blank=True)

    class Meta:
        app_label = "users"
