"""A signed-in user's doors close when their session ends.

Signing out, a new password or deactivation closes every agent socket the user has open, in
every web process (one channel-layer group per user, helpdesk.realtime.user_group; the pages
read close code 4403 as "sign in again"); a new password or deactivation also revokes the
user's API tokens. Django's own session checks already refuse their next HTTP request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save, pre_save
from rest_framework.authtoken.models import Token

from helpdesk.realtime import publish_on_commit, user_group

User = get_user_model()


def user_sessions_close(*, user_id: int) -> None:
    """Close the user's open sockets, once the change that ends their session commits."""
    publish_on_commit(user_group(user_id), {"type": "session.revoked"})


def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.pk is not None:
        user_sessions_close(user_id=user.pk)


def _note_credentials(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before the save: did this save set a new password, or switch the user off?"""
    if instance.pk is None:
        return
    new_password = getattr(instance, "_password", None) is not None  # set by set_password()
    switched_off = (
        not instance.is_active
        and User._default_manager.filter(pk=instance.pk, is_active=True).exists()
    )
    instance._credentials_changed = new_password or switched_off


def _revoke(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "_credentials_changed", False):
        instance._credentials_changed = False
        Token.objects.filter(user=instance).delete()
        user_sessions_close(user_id=instance.pk)


def connect() -> None:
    user_logged_out.connect(_signed_out, dispatch_uid="agents.sessions.signed_out")
    pre_save.connect(_note_credentials, sender=User, dispatch_uid="agents.sessions.note")
    post_save.connect(_revoke, sender=User, dispatch_uid="agents.sessions.revoke")
