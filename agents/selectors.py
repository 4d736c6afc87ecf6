from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from agents.models import Agent
from escalation.models import Callback, HandoffPackage
from helpdesk.models import Conversation, ConversationEvent, Urgency
from routing.selectors import agent_load


def agent_for_user(user: AbstractBaseUser | AnonymousUser) -> Agent | None:
    """The agent profile of a signed-in user (None for anyone else): the one lookup every page,
    socket and API view uses."""
    if not user.is_authenticated:
        return None
    return Agent.objects.filter(user_id=user.pk).first()


INBOX_TABS = ("waiting", "mine", "callbacks", "all")
INBOX_LIMIT = 200
URGENCY_RANK = Case(  # 1 (low) to 4 (critical), 0 for none: the inbox's order
    *(When(urgency=urgency, then=Value(Urgency.rank(urgency) + 1)) for urgency in Urgency),
    default=Value(0),
    output_field=IntegerField(),
)


def inbox_conversations(*, tab: str, agent: Agent) -> list[Conversation]:
    """One tab of the inbox, in one query. Waiting: most urgent first, then whoever has waited
    longest. Mine: the agent's own open conversations, latest activity first. All: every open
    conversation, waiting ones first in the same priority order."""
    rows = Conversation.objects.select_related("customer", "assigned_agent").annotate(
        urgency_rank=URGENCY_RANK
    )
    if tab == "waiting":
        rows = rows.filter(status=Conversation.Status.WAITING).order_by(
            "-urgency_rank", F("escalated_at").asc(nulls_last=True), "opened_at"
        )
    elif tab == "mine":
        rows = rows.filter(assigned_agent=agent, status__in=Conversation.OPEN_STATUSES).order_by(
            F("last_message_at").desc(nulls_last=True)
        )
    else:
        waiting_first = Case(
            When(status=Conversation.Status.WAITING, then=Value(0)), default=Value(1)
        )
        rows = rows.filter(status__in=Conversation.OPEN_STATUSES).order_by(
            waiting_first,
            "-urgency_rank",
            F("escalated_at").asc(nulls_last=True),
            F("last_message_at").desc(nulls_last=True),
        )
    return list(rows[:INBOX_LIMIT])


def inbox_counts(*, agent: Agent) -> dict[str, int]:
    """How many conversations each tab holds, in one query."""
    open_rows = Conversation.objects.filter(status__in=Conversation.OPEN_STATUSES)
    counts = open_rows.aggregate(
        waiting=Count("pk", filter=Q(status=Conversation.Status.WAITING)),
        mine=Count("pk", filter=Q(assigned_agent=agent)),
        all=Count("pk"),
    )
    counts["callbacks"] = Callback.objects.filter(status=Callback.Status.SCHEDULED).count()
    return counts


def inbox_callbacks() -> list[Callback]:
    """Scheduled callbacks and email follow-ups, the soonest due first."""
    return list(
        Callback.objects.filter(status=Callback.Status.SCHEDULED)
        .select_related("conversation__customer", "agent")
        .order_by("due_at")[:INBOX_LIMIT]
    )


def latest_handoff(conversation: Conversation) -> HandoffPackage | None:
    return conversation.handoffs.order_by("-version").first()


def agents_with_load() -> list[Agent]:
    """Every agent with their handed-over conversations counted, for a supervisor's menu."""
    return list(Agent.objects.annotate(load=agent_load()).order_by("display_name"))


def latest_routing_event(conversation: Conversation) -> ConversationEvent | None:
    """Why the conversation is where it is: the last routing decision on its timeline."""
    return (
        conversation.events.filter(kind__startswith="routing.")
        .order_by("-created_at", "-pk")
        .first()
    )
