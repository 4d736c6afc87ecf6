from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone

from agents.models import Agent
from escalation.models import Callback, HandoffPackage
from helpdesk.models import Conversation, ConversationEvent, Urgency
from routing.models import RoutingPolicy
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
    conversation, waiting ones first in the same priority order. None holds the conversations
    offered to the agent: those are listed apart, above every tab (inbox_offers)."""
    rows = (
        Conversation.objects.select_related("customer", "assigned_agent")
        .annotate(urgency_rank=URGENCY_RANK)
        .exclude(assigned_agent=agent, status=Conversation.Status.WAITING)
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


def inbox_counts(*, agent: Agent) -> tuple[dict[str, int], Workload]:
    """How many conversations each tab holds (the agent's offers are in none), and the agent's
    workload, in one query; and the callbacks in another."""
    open_rows = Conversation.objects.filter(status__in=Conversation.OPEN_STATUSES)
    counts = open_rows.aggregate(
        waiting=Count("pk", filter=Q(status=Conversation.Status.WAITING)),
        mine=Count("pk", filter=Q(assigned_agent=agent)),
        all=Count("pk"),
        **_workload_counts(mine=Q(assigned_agent=agent)),
    )
    workload = Workload(counts.pop("active"), counts.pop("offered"), agent.max_concurrent)
    counts = {tab: count - workload.offered for tab, count in counts.items()}
    counts["callbacks"] = Callback.objects.filter(status=Callback.Status.SCHEDULED).count()
    return counts, workload


@dataclass(frozen=True)
class Offer:
    """A conversation offered to the agent, with the seconds left before routing takes it back
    (routing.offers.offers_expire); None for a supervisor's assignment, which never runs out."""

    conversation: Conversation
    seconds_left: int | None


def offer_seconds_left(conversation: Conversation, *, now: datetime | None = None) -> int | None:
    if conversation.offered_at is None:
        return None
    ends = conversation.offered_at.timestamp() + RoutingPolicy.load().offer_timeout_seconds
    return max(0, int(ends - (now or timezone.now()).timestamp()))


def inbox_offers(*, agent: Agent) -> list[Offer]:
    """The conversations offered to the agent and not accepted yet, in one query: the one
    that runs out first, first; a supervisor's assignments after them."""
    rows = (
        Conversation.objects.select_related("customer")
        .filter(assigned_agent=agent, status=Conversation.Status.WAITING)
        .order_by(F("offered_at").asc(nulls_last=True), "pk")
    )
    now = timezone.now()
    return [Offer(row, offer_seconds_left(row, now=now)) for row in rows[:INBOX_LIMIT]]


@dataclass(frozen=True)
class Workload:
    """An agent's conversations against their capacity. An offer not yet accepted holds a slot
    (so accepting it never fails for capacity), but it is not one of their active ones."""

    active: int
    offered: int
    capacity: int

    @property
    def used(self) -> int:
        return self.active + self.offered

    @property
    def full(self) -> bool:
        return self.used >= self.capacity

    @property
    def at_capacity(self) -> str:
        """Why the agent cannot take another: "You're at capacity (3 of 3, 1 offered to you)"."""
        offered = f", {self.offered} offered to you" if self.offered else ""
        return f"You're at capacity ({self.used} of {self.capacity}{offered})"

    @property
    def refusal(self) -> str:
        """The error for a join refused for capacity."""
        if self.offered:  # accepting an offer takes no new slot; passing on it frees one
            return f"{self.at_capacity}: finish a conversation or pass on an offer first."
        return f"{self.at_capacity}: finish a conversation first."


def agent_workload(agent: Agent) -> Workload:
    """The agent's accepted conversations and unaccepted offers, in one query (what
    routing.selectors.agent_load counts, split in two)."""
    counts = Conversation.objects.filter(assigned_agent=agent).aggregate(**_workload_counts())
    return Workload(counts["active"], counts["offered"], agent.max_concurrent)


def _workload_counts(mine: Q | None = None) -> dict[str, Count]:
    """Aggregates: `active` (accepted) and `offered` (not yet), of the rows `mine` selects."""
    mine = mine or Q()
    return {
        "active": Count("pk", filter=mine & Q(status=Conversation.Status.WITH_AGENT)),
        "offered": Count("pk", filter=mine & Q(status=Conversation.Status.WAITING)),
    }


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
