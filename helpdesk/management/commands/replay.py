"""Feed conversations through the assistant and the escalation engine, as the live chat does.

    python manage.py replay conversations.jsonl      (or - for standard input)
    python manage.py replay --handoff conversations.jsonl

Each input line: {"id": "...", "customer": {"language": "es", "tier": "vip"}, "messages": ["..."]}
Each output line: {"id", "escalated", "trigger", "at_message", "triggers", "replies"}; with
--handoff, an escalated line also carries "handoff": the package an agent would receive.
Uses the default policy, stops at the first escalation, and rolls every change back.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from escalation.engine import Policy, default_policy
from helpdesk import demo_data
from helpdesk.models import LANGUAGE_CHOICES, Customer, KnowledgeArticle, Message
from helpdesk.services import conversation_start, message_post
from helpdesk.turns import customer_turn_handle

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

    def handle(self, *args: Any, **options: Any) -> None:
        source: TextIO = sys.stdin if options["file"] == "-" else _open(options["file"])
        try:
            with transaction.atomic():
                _ensure_knowledge_base()
                policy = default_policy()
                for number, line in enumerate(source, start=1):
                    if line.strip():
                        result = replay_one(
                            _parse(line, number), policy, with_handoff=options["handoff"]
                        )
                        self.stdout.write(json.dumps(result, ensure_ascii=False))
                raise Rollback
        except Rollback:
            pass
        finally:
            if source is not sys.stdin:
                source.close()


def replay_one(
    item: dict[str, Any], policy: Policy, *, with_handoff: bool = False
) -> dict[str, Any]:
    given = item.get("customer")
    profile: dict[str, Any] = given if isinstance(given, dict) else {}
    language = str(profile.get("language")) if profile.get("language") in LANGUAGES else "en"
    tier = str(profile.get("tier")) if profile.get("tier") in TIERS else Customer.Tier.STANDARD
    customer = Customer.objects.create(
        name=str(profile.get("name", ""))[:200], language=language, tier=tier
    )
    conversation = conversation_start(customer=customer, language=language, measured=False)
    result: dict[str, Any] = {
        "id": item.get("id"),
        "escalated": False,
        "trigger": None,
        "at_message": None,
        "triggers": [],
        "replies": [],
    }
    for index, text in enumerate(item.get("messages") or []):
        stored = message_post(
            conversation_id=conversation.pk, author_kind=Message.AuthorKind.CUSTOMER, body=str(text)
        )
        outcome = customer_turn_handle(message_id=stored.message.pk, policy=policy)
        result["replies"] += [reply.body for reply in outcome.replies]
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


def _ensure_knowledge_base() -> None:
    """The demo store's articles when the database has none (inside the rolled-back transaction)."""
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
