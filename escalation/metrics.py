"""The supervisors' figures: where the assistant hands over and why, whether handoffs work for
customers and agents, and how handed-over conversations compare with ones never automated.

Every figure is a `Table` (columns and rows), so the dashboard draws it and the CSV export
writes it from the same rows. Periods are half-open: [start, end).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from assistant.labels import HUMAN_REQUEST
from escalation.models import Category, Escalation, HandoffRating, MeasurementPolicy, Survey
from escalation.reasons import topic
from helpdesk.models import Conversation, Message, MessageAnalysis
from routing.selectors import waiting_queue

DEFAULT_DAYS = 30
GAP_MIN_CONVERSATIONS = 3  # an intent raised fewer times says little about a gap
# Asking for a person escalates by design: no article or phrase would close that "gap".
NOT_A_GAP = frozenset({HUMAN_REQUEST})
MAX_DAYS = 366  # a longer period is refused: the dashboard stays a quick page
EXAMPLES = 3


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def days(cls, first: date, last: date) -> Period:
        """From the start of `first` to the end of `last`, in the site's time zone."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(first, time(), tzinfo=zone)
        return cls(start, datetime.combine(last + timedelta(days=1), time(), tzinfo=zone))

    @classmethod
    def between(cls, first: date | None, last: date | None) -> Period:
        """The dates a supervisor chose; by default the last DEFAULT_DAYS days to today.
        ValueError for a period that is backwards or longer than MAX_DAYS."""
        last = last or timezone.localdate()
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise ValueError("The start must not be after the end.")
        if (last - first).days >= MAX_DAYS or last >= date.max - timedelta(days=1):
            raise ValueError(f"Choose at most {MAX_DAYS} days.")
        return cls.days(first, last)

    def dates(self) -> list[date]:
        first = timezone.localtime(self.start).date()
        count = (self.end - self.start).days
        return [first + timedelta(days=offset) for offset in range(count)]


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]  # key, heading
    rows: list[dict[str, Any]] = field(default_factory=list)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# -- where the assistant hands over --------------------------------------------------------------


def automated_conversations(period: Period) -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        automated=True, opened_at__gte=period.start, opened_at__lt=period.end
    )


def escalations_in(period: Period) -> QuerySet[Escalation]:
    return Escalation.objects.filter(conversation__in=automated_conversations(period))


def by_trigger(period: Period) -> Table:
    """Each of the five categories (the primary trigger), as a share of conversations."""
    total = automated_conversations(period).count()
    counts = dict(
        escalations_in(period).values_list("category").annotate(count=Count("pk")).order_by()
    )
    rows = [
        {
            "trigger": label,
            "escalations": counts.get(code, 0),
            "conversations": total,
            "rate": rate(counts.get(code, 0), total),
        }
        for code, label in Category.choices
    ]
    columns = [("trigger", "Trigger"), ("escalations", "Escalations")]
    columns += [("conversations", "Conversations"), ("rate", "Rate")]
    return Table("triggers", "Escalation rate by trigger", columns, rows)


def by_boundary(period: Period) -> Table:
    total = automated_conversations(period).count()
    counts = (
        escalations_in(period)
        .filter(boundary__isnull=False)
        .values_list("boundary__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "boundary__name")
    )
    rows = [
        {"boundary": name, "escalations": count, "rate": rate(count, total)}
        for name, count in counts
    ]
    columns = [("boundary", "Capability boundary"), ("escalations", "Escalations")]
    return Table(
        "boundaries", "Escalations by capability boundary", [*columns, ("rate", "Rate")], rows
    )


def _intent_counts(period: Period) -> list[dict[str, Any]]:
    """Per intent: the conversations in which customers raised it, and how many of those
    escalated on a message with that intent (a conversation counts once, however many turns)."""
    raised = (
        MessageAnalysis.objects.filter(message__conversation__in=automated_conversations(period))
        .values("intent")
        .annotate(conversations=Count("message__conversation", distinct=True))
    )
    escalating = (
        escalations_in(period)
        .filter(message__analysis__isnull=False)
        .values("message__analysis__intent")
        .annotate(count=Count("conversation", distinct=True))
    )
    escalated = {row["message__analysis__intent"]: row["count"] for row in escalating}
    examples: dict[str, list[str]] = defaultdict(list)
    for intent, body in (
        escalations_in(period)
        .filter(message__analysis__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("message__analysis__intent", "message__body")
    ):
        if len(examples[intent]) < EXAMPLES:
            examples[intent].append(body[:200])
    return [
        {
            "topic": topic(row["intent"]),
            "intent": row["intent"],
            "conversations": row["conversations"],
            "escalated": escalated.get(row["intent"], 0),
            "rate": rate(escalated.get(row["intent"], 0), row["conversations"]),
            "examples": examples[row["intent"]],
        }
        for row in raised
    ]


def by_intent(period: Period, counts: list[dict[str, Any]] | None = None) -> Table:
    """`counts`: _intent_counts of the period, when the caller already has them."""
    counts = _intent_counts(period) if counts is None else counts
    rows = sorted(
        ({**row} for row in counts), key=lambda row: (-row["conversations"], row["intent"])
    )
    for row in rows:
        row.pop("examples")
    columns = [("topic", "Topic"), ("intent", "Intent code"), ("conversations", "Conversations")]
    columns += [("escalated", "Escalated"), ("rate", "Rate")]
    return Table("intents", "Escalation rate by intent", columns, rows)


def knowledge_gaps(
    period: Period, counts: list[dict[str, Any]] | None = None, *, limit: int = 10
) -> Table:
    """The intents that escalate most often (seen at least a few times), with what customers
    wrote: where the knowledge base or the training phrases need work."""
    counts = _intent_counts(period) if counts is None else counts
    rows = [
        {**row, "examples": " | ".join(row["examples"])}
        for row in counts
        if row["conversations"] >= GAP_MIN_CONVERSATIONS
        and row["escalated"]
        and row["intent"] not in NOT_A_GAP
    ]
    rows.sort(key=lambda row: (-row["rate"], -row["conversations"], row["intent"]))
    columns = [("topic", "Topic"), ("intent", "Intent code"), ("conversations", "Conversations")]
    columns += [("escalated", "Escalated"), ("rate", "Rate")]
    columns += [("examples", "What customers wrote (latest first)")]
    return Table("gaps", "Knowledge gaps", columns, rows[:limit])


def trend(period: Period) -> Table:
    """Per day: conversations started, how many escalated, the rate."""
    started: Counter[date] = Counter()
    escalated: Counter[date] = Counter()
    for opened_at, escalated_at in automated_conversations(period).values_list(
        "opened_at", "escalated_at"
    ):
        day = timezone.localtime(opened_at).date()
        started[day] += 1
        escalated[day] += escalated_at is not None
    rows = [
        {
            "day": day.isoformat(),
            "conversations": started[day],
            "escalated": escalated[day],
            "rate": rate(escalated[day], started[day]),
        }
        for day in period.dates()
    ]
    columns = [("day", "Day"), ("conversations", "Conversations"), ("escalated", "Escalated")]
    return Table("trend", "Escalation rate per day", [*columns, ("rate", "Rate")], rows)


# -- whether handoffs work -------------------------------------------------------------------------


def _handed_over_resolved(period: Period) -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        escalated_at__isnull=False, closed_at__gte=period.start, closed_at__lt=period.end
    )


def quality_by_trigger(period: Period) -> Table:
    def trigger(conversation: Conversation) -> tuple[str, str]:
        return conversation.trigger, TRIGGER_NAMES.get(conversation.trigger, conversation.trigger)

    return _quality(
        period, "trigger", "Trigger", trigger, lambda rating, conversation: trigger(conversation)
    )


def quality_by_agent(period: Period) -> Table:
    """Surveys count for the agent who had the conversation at the end; ratings for the agent
    who gave them (who may have handed it on)."""

    def holder(conversation: Conversation) -> tuple[str, str]:
        agent = conversation.assigned_agent
        return (str(agent.pk), agent.display_name) if agent else ("", "(nobody)")

    def rater(rating: HandoffRating, conversation: Conversation) -> tuple[str, str]:
        return str(rating.agent_id), rating.agent.display_name

    return _quality(period, "agent", "Agent", holder, rater)


TRIGGER_NAMES = {**dict(Category.choices), "direct": "Straight to agents"}
Group = tuple[str, str]  # a stable key (an id), and the label shown


def _quality(
    period: Period,
    key: str,
    heading: str,
    group_of: Any,
    rating_group_of: Any,
) -> Table:
    """Survey answers and agents' ratings of the conversations resolved in the period."""
    resolved = _handed_over_resolved(period)
    surveys = {
        s.conversation_id: s
        for s in Survey.objects.filter(conversation__in=resolved, satisfaction__isnull=False)
    }
    members: dict[Group, list[Conversation]] = defaultdict(list)
    conversations = {}
    for conversation in resolved.select_related("assigned_agent").order_by("pk"):
        conversations[conversation.pk] = conversation
        members[group_of(conversation)].append(conversation)
    given: dict[Group, list[HandoffRating]] = defaultdict(list)
    for rating in HandoffRating.objects.filter(conversation__in=resolved).select_related("agent"):
        given[rating_group_of(rating, conversations[rating.conversation_id])].append(rating)
    rows = [
        _quality_row(key, group[1], members.get(group, []), surveys, given.get(group, []))
        for group in sorted({*members, *given}, key=lambda group: group[1])
    ]
    columns = [
        (key, heading),
        ("resolved", "Resolved"),
        ("surveys", "Surveys answered"),
        ("satisfaction", "Satisfaction (1-5)"),
        ("repeated", "Had to repeat"),
        ("ratings", "Agent ratings"),
        ("context_sufficient", "Context sufficient"),
        ("prepared", "Agent prepared"),
        ("missing", "What was missing"),
    ]
    title = f"Handoff quality by {heading.lower()}"
    return Table(f"quality_{key}", title, columns, rows)


def _quality_row(
    key: str,
    name: str,
    members: list[Conversation],
    surveys: dict[int, Survey],
    given: list[HandoffRating],
) -> dict[str, Any]:
    answered = [surveys[c.pk] for c in members if c.pk in surveys]
    repeat_answers = [s.repeated for s in answered if s.repeated is not None]
    return {
        key: name,
        "resolved": len(members),
        "surveys": len(answered),
        "satisfaction": _mean(s.satisfaction for s in answered),
        "repeated": rate(sum(repeat_answers), len(repeat_answers)),
        "ratings": len(given),
        "context_sufficient": rate(sum(r.context_sufficient for r in given), len(given)),
        "prepared": rate(sum(r.prepared for r in given), len(given)),
        "missing": " | ".join(r.missing for r in given if r.missing)[:300],
    }


def survey_comments(period: Period, *, limit: int = 50) -> Table:
    """What customers wrote in the survey, latest first, with their score and the trigger."""
    rows = [
        {
            "answered": timezone.localtime(answered).strftime("%Y-%m-%d %H:%M"),
            "trigger": TRIGGER_NAMES.get(trigger, trigger),
            "agent": agent or "",
            "satisfaction": satisfaction,
            "had_to_repeat": "" if repeated is None else ("yes" if repeated else "no"),
            "comment": comment,
        }
        for answered, trigger, agent, satisfaction, repeated, comment in Survey.objects.filter(
            answered_at__gte=period.start, answered_at__lt=period.end
        )
        .exclude(comment="")
        .order_by("-answered_at", "-pk")
        .values_list(
            "answered_at",
            "conversation__trigger",
            "conversation__assigned_agent__display_name",
            "satisfaction",
            "repeated",
            "comment",
        )[:limit]
    ]
    columns = [("answered", "Answered"), ("trigger", "Trigger"), ("agent", "Agent")]
    columns += [("satisfaction", "Satisfaction"), ("had_to_repeat", "Had to repeat")]
    columns += [("comment", "Comment")]
    return Table("comments", "What customers said", columns, rows)


def _mean(values: Iterable[float | int | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(statistics.fmean(present), 2) if present else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


# -- a fair comparison -----------------------------------------------------------------------------


def comparison(period: Period) -> Table:
    """Escalated conversations against those that never met the assistant: the random hold-out
    and the direct channels (a different population, shown apart), each measured from the moment
    people could act on it (the handoff; for the others the customer's first message, and those
    where the customer never wrote are left out): time to the first agent reply and to
    resolution, and satisfaction, each with its count."""
    agent_reply = Q(messages__author_kind=Message.AuthorKind.AGENT)
    customer_wrote = Q(messages__author_kind=Message.AuthorKind.CUSTOMER)
    handed = Conversation.objects.filter(
        escalated_at__gte=period.start, escalated_at__lt=period.end
    ).annotate(
        first_reply=Min("messages__created_at", filter=agent_reply),
        first_words=Min("messages__created_at", filter=customer_wrote),
    )
    direct = MeasurementPolicy.load().direct_channel_list
    groups = [
        ("Escalated by the assistant", handed.filter(automated=True), "escalated_at"),
        (
            "Hold-out (never automated)",
            handed.filter(automated=False).exclude(channel__in=direct),
            "first_words",
        ),
        (
            "Direct channels (never automated)",
            handed.filter(automated=False, channel__in=direct),
            "first_words",
        ),
    ]
    satisfaction = dict(
        Survey.objects.filter(conversation__in=handed, satisfaction__isnull=False).values_list(
            "conversation_id", "satisfaction"
        )
    )
    rows = []
    for label, conversations, start in groups:
        fields = ("pk", start, "closed_at", "first_reply")
        group = [
            dict(row) for row in conversations.filter(**{f"{start}__isnull": False}).values(*fields)
        ]
        replies = [_since(row, start, "first_reply") for row in group if row["first_reply"]]
        resolved = [_since(row, start, "closed_at") for row in group if row["closed_at"]]
        scores = [satisfaction[row["pk"]] for row in group if row["pk"] in satisfaction]
        rows.append(
            {
                "group": label,
                "conversations": len(group),
                "first_response_n": len(replies),
                "first_response_median_min": _median(replies),
                "resolved_n": len(resolved),
                "resolution_median_min": _median(resolved),
                "resolution_mean_min": _mean(resolved),
                "satisfaction_n": len(scores),
                "satisfaction_mean": _mean(scores),
            }
        )
    columns = [
        ("group", "Conversations"),
        ("conversations", "Handed to people"),
        ("first_response_n", "With a reply"),
        ("first_response_median_min", "First response, median (min)"),
        ("resolved_n", "Resolved"),
        ("resolution_median_min", "Resolution, median (min)"),
        ("resolution_mean_min", "Resolution, mean (min)"),
        ("satisfaction_n", "Surveys"),
        ("satisfaction_mean", "Satisfaction (1-5)"),
    ]
    return Table("comparison", "Escalated vs never automated", columns, rows)


def _since(row: dict[str, Any], start: str, moment: str) -> float:
    """Minutes from when people could act (`start`) to `moment`, never below zero."""
    return max(0.0, round((row[moment] - row[start]).total_seconds() / 60, 2))


def all_tables(period: Period) -> list[Table]:
    intents = _intent_counts(period)  # two tables read them: worked out once
    return [
        by_trigger(period),
        trend(period),
        knowledge_gaps(period, intents),
        by_boundary(period),
        by_intent(period, intents),
        quality_by_trigger(period),
        quality_by_agent(period),
        survey_comments(period),
        comparison(period),
    ]


TABLES = {
    "triggers": by_trigger,
    "trend": trend,
    "gaps": knowledge_gaps,
    "boundaries": by_boundary,
    "intents": by_intent,
    "quality_trigger": quality_by_trigger,
    "quality_agent": quality_by_agent,
    "comments": survey_comments,
    "comparison": comparison,
}


# -- right now (the Prometheus exposition) -----------------------------------------------------


@dataclass(frozen=True)
class RightNow:
    """Database-wide figures at this moment."""

    escalations_by_trigger: dict[str, int]
    queue_length: int  # queued, not yet offered to anyone
    queue_waits: list[float]  # seconds waited so far, per queued conversation escalated
    offered_unaccepted: int
    conversations_by_status: dict[str, int]


def right_now() -> RightNow:
    now = timezone.now()
    queued = list(waiting_queue().values_list("escalated_at", flat=True))
    return RightNow(
        escalations_by_trigger=_counts(Escalation.objects.values_list("category")),
        queue_length=len(queued),
        queue_waits=[(now - since).total_seconds() for since in queued if since],
        offered_unaccepted=Conversation.objects.filter(
            status=Conversation.Status.WAITING, assigned_agent__isnull=False
        ).count(),
        conversations_by_status=_counts(Conversation.objects.values_list("status")),
    )


def _counts(rows: QuerySet[Any, tuple[Any, ...]]) -> dict[str, int]:
    return dict(rows.annotate(n=Count("pk")).order_by().values_list(*rows.query.values_select, "n"))
