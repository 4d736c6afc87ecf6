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

from escalation.models import Category, Escalation, HandoffRating, Survey
from helpdesk.models import Conversation, Message, MessageAnalysis

DEFAULT_DAYS = 30
GAP_MIN_MESSAGES = 3  # an intent seen fewer times says little about a gap
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
        """The dates a supervisor chose; by default the last DEFAULT_DAYS days to today."""
        last = last or timezone.localdate()
        return cls.days(first or last - timedelta(days=DEFAULT_DAYS - 1), last)

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
    """Per intent: customer messages the assistant read with it, and how many of them were the
    message a conversation escalated on."""
    analyses = MessageAnalysis.objects.filter(
        message__conversation__in=automated_conversations(period)
    )
    escalated_ids = set(escalations_in(period).values_list("message_id", flat=True))
    seen: Counter[str] = Counter()
    escalated: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for intent, message_id, body in analyses.values_list("intent", "message_id", "message__body"):
        seen[intent] += 1
        if message_id in escalated_ids:
            escalated[intent] += 1
            if len(examples[intent]) < EXAMPLES:
                examples[intent].append(body[:200])
    return [
        {
            "intent": intent,
            "messages": count,
            "escalated": escalated[intent],
            "rate": rate(escalated[intent], count),
            "examples": examples[intent],
        }
        for intent, count in seen.items()
    ]


def by_intent(period: Period) -> Table:
    rows = sorted(_intent_counts(period), key=lambda row: (-row["messages"], row["intent"]))
    for row in rows:
        row.pop("examples")
    columns = [("intent", "Intent"), ("messages", "Messages"), ("escalated", "Escalated")]
    return Table("intents", "Escalation rate by intent", [*columns, ("rate", "Rate")], rows)


def knowledge_gaps(period: Period, *, limit: int = 10) -> Table:
    """The intents that escalate most often (seen at least a few times), with what customers
    wrote: where the knowledge base or the training phrases need work."""
    rows = [
        {**row, "examples": " | ".join(row["examples"])}
        for row in _intent_counts(period)
        if row["messages"] >= GAP_MIN_MESSAGES and row["escalated"]
    ]
    rows.sort(key=lambda row: (-row["rate"], -row["messages"], row["intent"]))
    columns = [("intent", "Intent"), ("messages", "Messages"), ("escalated", "Escalated")]
    columns += [("rate", "Rate"), ("examples", "What customers wrote")]
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
    return _quality(period, "trigger", "Trigger", lambda c: TRIGGER_NAMES.get(c.trigger, c.trigger))


def quality_by_agent(period: Period) -> Table:
    return _quality(
        period,
        "agent",
        "Agent",
        lambda c: c.assigned_agent.display_name if c.assigned_agent else "(nobody)",
    )


TRIGGER_NAMES = {**dict(Category.choices), "direct": "Straight to agents"}


def _quality(period: Period, key: str, heading: str, group_of: Any) -> Table:
    """Survey answers and agents' ratings of the conversations resolved in the period."""
    conversations = list(
        _handed_over_resolved(period).select_related("assigned_agent").order_by("pk")
    )
    surveys = {s.conversation_id: s for s in Survey.objects.filter(conversation__in=conversations)}
    ratings = defaultdict(list)
    for rating in HandoffRating.objects.filter(conversation__in=conversations):
        ratings[rating.conversation_id].append(rating)
    groups: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        groups[group_of(conversation)].append(conversation)
    rows = [
        _quality_row(key, name, members, surveys, ratings)
        for name, members in sorted(groups.items())
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
    ratings: dict[int, list[HandoffRating]],
) -> dict[str, Any]:
    answered = [surveys[c.pk] for c in members if c.pk in surveys and surveys[c.pk].satisfaction]
    repeat_answers = [s.repeated for s in answered if s.repeated is not None]
    given = [rating for c in members for rating in ratings.get(c.pk, [])]
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


def _mean(values: Iterable[float | int | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(statistics.fmean(present), 2) if present else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


# -- a fair comparison -----------------------------------------------------------------------------


def comparison(period: Period) -> Table:
    """Escalated conversations against those that went straight to agents (the hold-out and
    direct channels), handed to people in the period: time to the first agent reply and to
    resolution, from the moment people had it, and satisfaction, each with its count."""
    handed = Conversation.objects.filter(
        escalated_at__gte=period.start, escalated_at__lt=period.end
    ).annotate(
        first_reply=Min(
            "messages__created_at", filter=Q(messages__author_kind=Message.AuthorKind.AGENT)
        )
    )
    satisfaction = dict(
        Survey.objects.filter(conversation__in=handed, satisfaction__isnull=False).values_list(
            "conversation_id", "satisfaction"
        )
    )
    rows = []
    for label, automated in (("Escalated by the assistant", True), ("Never automated", False)):
        fields = ("pk", "escalated_at", "closed_at", "first_reply")
        group = [dict(row) for row in handed.filter(automated=automated).values(*fields)]
        replies = [_since_handed(row, "first_reply") for row in group if row["first_reply"]]
        resolved = [_since_handed(row, "closed_at") for row in group if row["closed_at"]]
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


def _since_handed(row: dict[str, Any], moment: str) -> float:
    """Minutes from when people had the conversation to `moment`."""
    return round((row[moment] - row["escalated_at"]).total_seconds() / 60, 2)


def all_tables(period: Period) -> list[Table]:
    return [
        by_trigger(period),
        trend(period),
        knowledge_gaps(period),
        by_boundary(period),
        by_intent(period),
        quality_by_trigger(period),
        quality_by_agent(period),
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
    "comparison": comparison,
}
