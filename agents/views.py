"""The agent's pages: the list of open conversations and the live chat with one customer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh
from django_htmx.middleware import HtmxDetails

from agents import services
from agents.forms import SignInForm, refusal_status
from agents.models import Agent
from agents.pagetexts import inbox_texts, offer_texts
from agents.selectors import (
    INBOX_TABS,
    agent_for_user,
    agent_workload,
    agents_with_load,
    inbox_callbacks,
    inbox_conversations,
    inbox_counts,
    inbox_offers,
    latest_handoff,
    latest_routing_event,
    offer_seconds_left,
)
from escalation.callbacks import callback_complete, callback_take
from escalation.models import Callback, HandoffRating
from escalation.surveys import handoff_rate
from helpdesk import flows
from helpdesk.models import Conversation
from helpdesk.pagetexts import AGENT, chat_page_context
from helpdesk.selectors import conversation_by_public_id, transcript, transcript_payload
from helpdesk.services import ChatError
from routing.offers import offer_pass
from routing.services import conversation_assign_manually


class AgentLoginView(auth_views.LoginView):
    """Signing in puts the agent online: they are at their desk, ready for conversations."""

    template_name = "agents/login.html"
    redirect_authenticated_user = True
    authentication_form = SignInForm  # throttled: repeated failures are refused for a while

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        agent = agent_for_user(form.get_user())
        if agent is not None:
            services.agent_set_presence(agent=agent, presence=Agent.Presence.ONLINE)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        return refusal_status(super().form_invalid(form), form)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Signing out takes the agent offline at once, rather than at the next presence sweep."""
    agent = agent_for_user(request.user)
    if agent is not None:
        services.agent_set_presence(agent=agent, presence=Agent.Presence.OFFLINE)
    auth_logout(request)
    return redirect("agents:login")


class AgentRequest(HttpRequest):
    agent: Agent
    htmx: HtmxDetails


View = Callable[..., HttpResponse]


def agent_required(view: View) -> View:
    """Signed-in users with an agent profile only; others go to the login page or get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                # Not a 302: htmx would follow it and swap the login page into the list.
                return HttpResponseClientRedirect(reverse("agents:login"))
            return redirect_to_login(request.get_full_path())
        agent = agent_for_user(request.user)
        if agent is None:
            return render(request, "agents/not_an_agent.html", status=403)
        request.agent = agent  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@agent_required
def inbox(request: AgentRequest) -> HttpResponse:
    """The escalation inbox: the conversations offered to the agent, above the tabs: waiting
    (by priority), mine, or all open conversations. The page's socket tells it when to fetch
    the list again; the fetch is the partial below."""
    tab = request.GET.get("tab", "waiting")
    if tab not in INBOX_TABS:
        tab = "waiting"
    template = "agents/inbox.html"
    if request.htmx:
        template += "#conversation-list"
    counts, workload = inbox_counts(agent=request.agent)
    context = {
        "tab": tab,
        "tabs": INBOX_TABS,
        "counts": counts,
        "offers": inbox_offers(agent=request.agent),
        "workload": workload,
        "agent": request.agent,
        "now": timezone.now(),
        "inbox_texts": inbox_texts(),
    }
    if tab == "callbacks":
        context["callbacks"] = inbox_callbacks()
    else:
        context["conversations"] = inbox_conversations(tab=tab, agent=request.agent)
    return render(request, template, context)


@require_GET
@agent_required
def conversation(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    found = _conversation_or_404(public_id)
    context = {
        "conversation": found,
        "customer": found.customer,
        "assignable": agents_with_load() if request.user.is_staff and found.is_open else [],
        "routing": latest_routing_event(found),
        "initial_messages": transcript_payload(found),
        "agent": request.agent,
        "joined": found.is_with(request.agent.pk),
        "handoff": latest_handoff(found),
        "workload": agent_workload(request.agent),
        **_rating_context(found, request.agent),
        **chat_page_context(AGENT, found),
    }
    return render(request, "agents/conversation.html", context)


def _rating_context(conversation: Conversation, agent: Agent) -> dict[str, Any]:
    """The one-click handoff rating, for the agent who received the handoff."""
    return {
        "may_rate": conversation.escalated_at is not None
        and conversation.automated
        and conversation.assigned_agent_id == agent.pk,
        "rating": HandoffRating.objects.filter(conversation=conversation, agent=agent).first(),
        "verdicts": HandoffRating.Verdict.choices,
    }


@require_POST
@agent_required
def rate(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    found = _conversation_or_404(public_id)
    error = ""
    try:
        handoff_rate(
            conversation=found,
            agent=request.agent,
            verdict=request.POST.get("verdict", ""),
            missing=request.POST.get("missing", ""),
        )
    except ChatError as refused:
        error = refused.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("agents:conversation", public_id=public_id)
    context = {
        "conversation": found,
        **_rating_context(found, request.agent),
        "rating_error": error,
    }
    return render(request, "agents/_handoff_rating.html", context, status=400 if error else 200)


@require_GET
@agent_required
def summary(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    """The handoff summary, built for scanning: what, why, what was tried, what they asked."""
    found = _conversation_or_404(public_id)
    context = {
        "conversation": found,
        "customer": found.customer,
        "agent": request.agent,
        "joined": found.is_with(request.agent.pk),
        "handoff": latest_handoff(found),
        "workload": agent_workload(request.agent),
        "offer_seconds_left": offer_seconds_left(found),
        "offer_texts": offer_texts(),
    }
    return render(request, "agents/summary.html", context)


@require_GET
@agent_required
def summary_transcript(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    """The full transcript, fetched when the agent expands it (not with every summary)."""
    found = _conversation_or_404(public_id)
    context = {"conversation": found, "lines": transcript(found)}
    return render(request, "agents/_transcript.html", context)


def _conversation_or_404(public_id: uuid.UUID) -> Conversation:
    found = conversation_by_public_id(public_id)
    if found is None:
        raise Http404("No such conversation")
    return found


@require_POST
@agent_required
def join(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    return _conversation_action(request, public_id, flows.conversation_join)


@require_POST
@agent_required
def leave(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    return _conversation_action(request, public_id, flows.conversation_leave)


@require_POST
@agent_required
def pass_offer(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    """Pass on a conversation offered to the agent: routing gives it to someone else."""
    try:
        passed = offer_pass(public_id=public_id, agent=request.agent)
    except ChatError as error:
        if error.code == "not_found":
            raise Http404(error.message) from None
        messages.error(request, error.message)
    else:
        name = passed.customer.display_name
        messages.success(
            request, f"You passed on {name}: it goes to another agent or back to the queue."
        )
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("agents:inbox")


@require_POST
@agent_required
def resolve(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    return _conversation_action(request, public_id, flows.conversation_resolve)


def _conversation_action(
    request: AgentRequest, public_id: uuid.UUID, action: Callable[..., Any]
) -> HttpResponse:
    try:
        action(public_id=public_id, agent=request.agent)
    except ChatError as error:
        if error.code == "not_found":
            raise Http404(error.message) from None
        messages.error(request, error.message)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("agents:conversation", public_id=public_id)


@require_POST
@agent_required
def assign(request: AgentRequest, public_id: uuid.UUID) -> HttpResponse:
    """A supervisor hands the conversation to a chosen agent; over capacity only if ticked."""
    if not request.user.is_staff:
        return HttpResponse("Only supervisors assign conversations.", status=403)
    found = _conversation_or_404(public_id)
    target = Agent.objects.filter(pk=request.POST.get("agent") or 0).first()
    if target is None:
        messages.error(request, "Choose an agent.")
    else:
        try:
            conversation_assign_manually(
                conversation=found,
                agent=target,
                by=request.user,
                over_capacity=request.POST.get("over_capacity") == "on",
            )
            messages.success(request, f"Assigned to {target.display_name}.")
        except ChatError as error:
            messages.error(request, error.message)
    return redirect("agents:conversation", public_id=public_id)


@require_POST
@agent_required
def presence(request: AgentRequest) -> HttpResponse:
    value = request.POST.get("presence", "")
    if value not in Agent.Presence.values:
        return HttpResponse("Unknown presence.", status=400)
    services.agent_set_presence(agent=request.agent, presence=value)
    if request.htmx:
        return render(request, "agents/_presence.html", {"agent": request.agent})
    return redirect("agents:inbox")


@require_POST
@agent_required
def heartbeat(request: AgentRequest) -> HttpResponse:
    services.agent_heartbeat(agent=request.agent)
    return HttpResponse(status=204)


@require_POST
@agent_required
def finish_callback(request: AgentRequest, callback_id: int) -> HttpResponse:
    """The agent called (or wrote) back: done, and the conversation resolved."""
    return _callback_action(request, callback_id, callback_complete, "Marked as done.")


@require_POST
@agent_required
def take_callback(request: AgentRequest, callback_id: int) -> HttpResponse:
    return _callback_action(request, callback_id, callback_take, "The callback is yours.")


def _callback_action(
    request: AgentRequest, callback_id: int, action: Callable[..., Any], done: str
) -> HttpResponse:
    try:
        action(callback_id=callback_id, agent=request.agent)
        messages.success(request, done)
    except Callback.DoesNotExist:
        raise Http404("No such callback") from None
    except ChatError as error:
        messages.error(request, error.message)
    return redirect(reverse("agents:inbox") + "?tab=callbacks")
