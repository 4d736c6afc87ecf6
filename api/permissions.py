"""Who may do what: anonymous nothing, a customer only their own conversation, agents read and
act as themselves, supervisors (staff) everything, webhooks and other agents' presence included."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from agents.models import Agent
from agents.selectors import agent_for_user
from api.authentication import ChatCustomer

if TYPE_CHECKING:  # rest_framework.views reads the settings that name these classes
    from rest_framework.views import APIView

_AGENT = "_api_agent"


def request_agent(request: Request) -> Agent | None:
    """The signed-in user's agent profile (looked up once per request); None for customers."""
    if isinstance(request.user, ChatCustomer):
        return None
    if not hasattr(request, _AGENT):
        setattr(request, _AGENT, agent_for_user(request.user))
    agent: Agent | None = getattr(request, _AGENT)
    return agent


def is_customer(request: Request) -> bool:
    return isinstance(request.user, ChatCustomer)


def is_supervisor(request: Request) -> bool:
    return not is_customer(request) and bool(request.user and request.user.is_staff)


class IsAgent(BasePermission):
    """Agents and supervisors: the default for every view."""

    message = "Only agents and supervisors may use this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if is_customer(request) or not request.user.is_authenticated:
            return False
        return is_supervisor(request) or request_agent(request) is not None


class IsSupervisor(BasePermission):
    message = "Only supervisors may use this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.user.is_authenticated and is_supervisor(request)


class IsAgentOrConversationCustomer(BasePermission):
    """Agents and supervisors, or the customer whose chat token names this very conversation
    (decided from the URL, before any lookup: another conversation's id tells them nothing)."""

    message = "This conversation does not belong to you."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user: Any = request.user
        if isinstance(user, ChatCustomer):
            return str(view.kwargs.get("public_id")) == user.conversation
        self.message = IsAgent.message
        return IsAgent().has_permission(request, view)


class HasAgentProfile(BasePermission):
    """Acting as an agent (writing to a customer, presence, callbacks) needs an agent profile;
    a supervisor without one may read, not act."""

    message = "Only users with an agent profile may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.user.is_authenticated and request_agent(request) is not None
