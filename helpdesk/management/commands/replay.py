"""Feed conversations through the assistant and the escalation engine, as the live chat does.

    python manage.py replay conversations.jsonl      (or - for standard input)
    python manage.py replay --handoff conversations.jsonl

Each input line: {"id": "...", "customer": {"language": "es", "tier": "vip"}, "messages": ["..."]}
Each output line: {"id", "escalated", "trigger", "at_message", "triggers", "replies",
"analyses"} ("analyses": per customer message, its language, intent, both confidences,
sentiment and the triggers that fired); with --handoff, an escalated line also carries
"handoff": the package an agent would receive. Uses the trigger policies stored in the database
(--default-policy: the shipped defaults) and the assistant trained on the intents and phrases as
they are now, stops at the first escalation, and rolls every change back.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assistant.runtime import Assistant, assistant_for_current_data
from assistant.services import intents_seed_shipped
from escalation.engine import Policy, default_policy
from escalation.selectors import policy_from_db
from helpdesk import demo_data
from helpdesk.flows import conversation_open, customer_message_answer
from helpdesk.models import LANGUAGE_CHOICES, Customer, KnowledgeArticle, Message, MessageAnalysis

LANGUAGES = {code for code, _ in LANGUAGE_CHOICES}
TIERS = set(Customer.Tier.values)


class Rollback(Exception):
    """Raised at the end of a replay to undo everything it wrote."""


class Command(BaseCommand):
    help = "Replay JSON Lines conversations through the assistant; print one decision per line."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="JSON Lines file, or - for standard input")
        parser.add_argument(
            "--handoff",
            action="store_true",
            help="Add the handoff package to each escalated conversation's line.",
        )
        parser.add_argument(
            "--default-policy",
            action="store_true",
            help="Use the shipped trigger defaults instead of the policies stored in the database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: TextIO = sys.stdin if options["file"] == "-" else _open(options["file"])
        try:
            with transaction.atomic():
                _ensure_knowledge_base()
                policy = default_policy() if options["default_policy"] else policy_from_db()
                assistant = assistant_for_current_data()
                for number, line in enumerate(source, start=1):
                    if line.strip():
                        result = replay_one(
                            _parse(line, number),
                            policy,
                            assistant=assistant,
                            with_handoff=options["handoff"],
                        )
                        self.stdout.write(json.dumps(result, ensure_ascii=False))
                raise Rollback
        except Rollback:
            pass
        finally:
            if source is not sys.stdin:
                source.close()


def replay_one(
    item: dict[str, Any],
    policy: Policy,
    *,
    assistant: Assistant | None = None,
    with_handoff: bool = False,
) -> dict[str, Any]:
    given = item.get("customer")
    profile: dict[str, Any] = given if isinstance(given, dict) else {}
    language = str(profile.get("language")) if profile.get("language") in LANGUAGES else "en"
    tier = str(profile.get("tier")) if profile.get("tier") in TIERS else Customer.Tier.STANDARD
    customer = Customer.objects.create(
        name=str(profile.get("name", ""))[:200], language=language, tier=tier
    )
    conversation = conversation_open(customer=customer, language=language, measured=False)
    result: dict[str, Any] = {
        "id": item.get("id"),
        "escalated": False,
        "trigger": None,
        "at_message": None,
        "triggers": [],
        "replies": [],
        "analyses": [],
    }
    for index, text in enumerate(item.get("messages") or []):
        stored, outcome = customer_message_answer(
            public_id=conversation.public_id,
            customer_id=customer.pk,
            body=str(text),
            policy=policy,
            assistant=assistant,
        )
        result["replies"] += [reply.body for reply in outcome.replies]
        result["analyses"].append(_analysis(stored.message))
        if outcome.escalation is not None and outcome.decision is not None:
            result.update(
                escalated=True,
                trigger=outcome.escalation.category,
                at_message=index,
                triggers=[hit.category for hit in outcome.decision.triggers],
                rule=outcome.escalation.rule,
                evidence=outcome.escalation.evidence,
            )
            if with_handoff:
                package = conversation.handoffs.order_by("-version").first()
                result["handoff"] = package.data if package else None
            break
    return result


def _analysis(message: Message) -> dict[str, Any] | None:
    row = MessageAnalysis.objects.filter(message=message).first()
    if row is None:
        return None
    return {
        "language": row.language,
        "intent": row.intent,
        "intent_confidence": row.intent_confidence,
        "response_confidence": row.response_confidence,
        "sentiment": row.sentiment,
        "sentiment_score": row.sentiment_score,
        "ranking": row.details.get("ranking", []),
        "sentiment_cues": row.details.get("sentiment_cues", []),
        "similarities": row.details.get("similarities", []),
        "source": row.details.get("source"),
        "context": row.details.get("context"),
        "triggers": [hit["category"] for hit in row.details.get("triggers", [])],
    }


def _ensure_knowledge_base() -> None:
    """The demo store's articles (and intents) when the database has none, inside the
    rolled-back transaction."""
    intents_seed_shipped()
    if KnowledgeArticle.objects.filter(active=True).exists():
        return
    KnowledgeArticle.objects.bulk_create(
        KnowledgeArticle(**row) for row in demo_data.article_rows()
    )


def _open(path: str) -> TextIO:
    try:
        return open(path, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from None


def _parse(line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError:
        raise CommandError(f"Line {number} is not valid JSON.") from None
    if not isinstance(item, dict) or not isinstance(item.get("messages", []), list):
        raise CommandError(f"Line {number} must be an object with a list of messages.")
    return item
