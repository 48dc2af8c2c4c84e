"""Who a platform user is, in Tandem's terms: the proxy answer and the token claims share it."""
from django.utils.module_loading import import_string

from .conf import setting

ROLES = ("MENTOR", "MENTEE", "ADMIN")


def role_of(user):
    """The user's Tandem role: TANDEM_ROLE (a dotted path to a function of the user) if set,
    else the user's ``role`` attribute (the seed's ``User.role``). None when it is not one of
    MENTOR, MENTEE or ADMIN: such a user is not a chat participant."""
    getter = setting("TANDEM_ROLE")
    role = import_string(getter)(user) if getter else getattr(user, "role", None)
    role = str(role).upper() if role is not None else None
    return role if role in ROLES else None


def tandem_user(user):
    """The proxy's answer for ``user``: ``{id, email, first_name, last_name, role}``; ``id`` is
    the primary key as a string, so an address change follows the person."""
    return {
        "id": str(user.pk),
        "email": user.email,
        "first_name": user.first_name or "",
        "last_name": user.last_name or "",
        "role": role_of(user),
    }
