"""What people say afterwards: the customer's survey in the chat after resolution, and the
agent's one-click rating of the handoff."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from agents.models import Agent
from escalation.models import HandoffRating, MeasurementPolicy, Survey
from escalation.texts import render
from helpdesk.models import Conversation, Message
from helpdesk.services import ChatError, message_post

COMMENT_CHARS = 1000


# -- the customer's survey ---------------------------------------------------------------------


def survey_begin(conversation: Conversation) -> None:
    """After a conversation people handled is resolved: the first question, as buttons."""
    if conversation.escalated_at is None or not MeasurementPolicy.load().enabled:
        return
    _, created = Survey.objects.get_or_create(conversation=conversation)
    if not created:
        return
    language = conversation.language
    choices = [{"id": f"csat:{score}", "label": str(score)} for score in range(1, 6)]
    _ask(conversation, render("survey_csat", language), "survey_csat", choices)


def survey_answer(conversation: Conversation, choice: str, text: str) -> Message:
    """One answer, then the next question (satisfaction, repeating, a comment, thanks)."""
    survey = Survey.objects.select_for_update().get(conversation=conversation)
    language = conversation.language
    if choice.startswith("csat:"):
        survey.satisfaction = int(choice.removeprefix("csat:"))
        survey.save(update_fields=["satisfaction"])
        yes_no = [
            {"id": "repeat:yes", "label": render("choice_yes", language)},
            {"id": "repeat:no", "label": render("choice_no", language)},
        ]
        return _ask(conversation, render("survey_repeat", language), "survey_repeat", yes_no)
    if choice.startswith("repeat:"):
        survey.repeated = choice == "repeat:yes"
        survey.save(update_fields=["repeated"])
        comment = [
            {"id": "comment", "label": render("choice_send", language), "input": "text"},
            {"id": "skip", "label": render("choice_skip", language)},
        ]
        return _ask(conversation, render("survey_comment", language), "survey_comment", comment)
    survey.comment = text[:COMMENT_CHARS] if choice == "comment" else ""
    survey.answered_at = timezone.now()
    survey.save(update_fields=["comment", "answered_at"])
    return _ask(conversation, render("survey_thanks", language), "", [])


def _ask(
    conversation: Conversation, body: str, kind: str, choices: list[dict[str, Any]]
) -> Message:
    return message_post(
        conversation_id=conversation.pk,
        author_kind=Message.AuthorKind.ASSISTANT,
        body=body,
        actions={"kind": kind, "choices": choices} if choices else None,
    ).message


# -- the agent's rating ------------------------------------------------------------------------


def handoff_rate(
    *, conversation: Conversation, agent: Agent, verdict: str, missing: str = ""
) -> HandoffRating:
    """One click from the chat view; the agent may change their mind (one rating per agent)."""
    if verdict not in HandoffRating.Verdict.values:
        raise ChatError("invalid_field", "Choose how well prepared the handoff left you.")
    if conversation.escalated_at is None or not conversation.automated:
        raise ChatError("not_handed_over", "Only the assistant's handoffs are rated.")
    # As the database says now, not as the caller's copy of the row remembers it.
    handled = (
        Conversation.objects.filter(pk=conversation.pk, assigned_agent=agent).exists()
        or conversation.messages.filter(author_agent=agent).exists()
    )
    if not handled:
        raise ChatError("not_joined", "Rate a handoff you received.")
    rating, _ = HandoffRating.objects.update_or_create(
        conversation=conversation,
        agent=agent,
        defaults={"verdict": verdict, "missing": missing.strip()[:300]},
    )
    return rating
