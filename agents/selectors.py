from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from agents.models import Agent


def agent_for_user(user: AbstractBaseUser | AnonymousUser) -> Agent | None:
    if not user.is_authenticated:
        return None
    return Agent.objects.filter(user_id=user.pk).first()
