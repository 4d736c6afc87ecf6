"""The chat inside the widget's frame, on another site's page (docs/widget.md).

Every request names the widget site (`site`, its public key) and the origin of the page the
frame is on (`origin`). It is refused (403, never frameable) unless the site is active and lists
that origin, and unless the browser's Referer, when it names another site, names that same
origin. The chat page is then frameable by the site's origins only (CSP frame-ancestors, which
the browser enforces whatever the request said).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language_from_request, gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from helpdesk.chattoken import WIDGET_COOKIE, read_chat_token
from helpdesk.csp import build_policy, socket_origin
from helpdesk.floods import chat_start_refused
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation
from helpdesk.pagetexts import CUSTOMER, chat_page_context
from helpdesk.selectors import transcript_payload
from widget.cookies import widget_cookie_set
from widget.forms import WidgetStartForm
from widget.identity import HostIdentity
from widget.models import WidgetConversation, WidgetSite, origin_normalised
from widget.selectors import widget_conversation_held
from widget.services import widget_conversation_record, widget_customer_choose


@require_GET
def frame(request: HttpRequest) -> HttpResponse:
    """The chat this browser holds on this site, or the first screen (`new=1`: the first screen
    whatever the cookie holds, when the page now names someone else)."""
    found = _site_and_origin(request, request.GET)
    if found is None:
        return _refused(request)
    site, origin = found
    token = read_chat_token(request.COOKIES.get(WIDGET_COOKIE, ""))
    held = None
    if token is not None and not request.GET.get("new"):
        held = widget_conversation_held(token=token, site=site)
    if held is None:
        form = WidgetStartForm(initial={"language": get_language_from_request(request)})
        context = {"form": form, **_frame_context(site, origin, None)}
        response = render(request, "widget/frame_start.html", context)
    else:
        # The conversation's language, as on /chat/, whatever the browser asks for.
        language = held.conversation.language
        with translation.override(language):
            response = render(request, "widget/frame_chat.html", _chat_context(held, site, origin))
        response["Content-Language"] = language
    return _frameable_by(response, site, request)


@csrf_exempt  # no cookie reaches a frame on another site: the Origin check below stands for it
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    if not _from_our_own_page(request):
        return _refused(request)
    found = _site_and_origin(request, request.POST)
    form = WidgetStartForm(request.POST)
    if found is None or not form.is_valid():
        return _refused(request)
    site, origin = found
    if chat_start_refused(request.META):
        response = render(request, "widget/refused.html", {"reason": "busy"}, status=429)
        return _frameable_by(response, site, request)
    data = form.cleaned_data
    identity = HostIdentity(
        user_id=data["user_id"], email=data["email"], user_hash=data["user_hash"]
    )
    earlier = read_chat_token(request.COOKIES.get(WIDGET_COOKIE, ""))
    with transaction.atomic():
        customer, verdict = widget_customer_choose(
            site=site,
            identity=identity,
            name=data["name"],
            language=data["language"],
            returning_customer_id=earlier.customer_id if earlier else None,
        )
        conversation = conversation_open(customer=customer, language=data["language"])
        widget_conversation_record(
            conversation=conversation,
            site=site,
            host_origin=origin,
            identity=identity,
            verdict=verdict,
        )
    response = HttpResponse(status=303)
    response["Location"] = _frame_url(site, origin)
    return widget_cookie_set(response, conversation)


def _site_and_origin(request: HttpRequest, params: QueryDict) -> tuple[WidgetSite, str] | None:
    site = WidgetSite.objects.filter(key=params.get("site", ""), active=True).first()
    origin = site.allowed(params.get("origin", "")) if site is not None else None
    if site is None or origin is None:
        return None
    referer = origin_normalised(_origin_of(request.headers.get("Referer", "")))
    if referer is not None and referer not in (origin, _own_origin(request)):
        return None  # the browser says the frame is on a page the parameters do not name
    return site, origin


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _own_origin(request: HttpRequest) -> str | None:
    return origin_normalised(request.build_absolute_uri("/"))


def _from_our_own_page(request: HttpRequest) -> bool:
    """A form in our own frame: browsers send its Origin with every POST, and say same-origin."""
    origin = origin_normalised(request.headers.get("Origin", ""))
    fetch_site = request.headers.get("Sec-Fetch-Site", "same-origin")
    return origin is not None and origin == _own_origin(request) and fetch_site == "same-origin"


def _frame_url(site: WidgetSite, origin: str, **extra: str) -> str:
    return reverse("widget:frame") + "?" + urlencode({"site": site.key, "origin": origin, **extra})


def _frame_context(
    site: WidgetSite, origin: str, record: WidgetConversation | None
) -> dict[str, object]:
    return {
        "site": site,
        "host_origin": origin,
        "widget_config": {
            "site": site.key,
            "origin": origin,
            "start_url": reverse("widget:start"),
            "fresh_url": _frame_url(site, origin, new="1"),
            "user_id": record.user_id if record is not None else None,
            "chat_key": _chat_key(record.conversation) if record is not None else None,
            "texts": {
                "open": gettext("Open the chat"),
                "close": gettext("Close the chat"),
                "title": gettext("Chat with us"),
                "unread": gettext("%(count)s unread"),
            },
        },
    }


def _chat_key(conversation: Conversation) -> str:
    """What the host page keeps beside "seen" to tell conversations apart: not their id."""
    return salted_hmac("widget.chat_key", str(conversation.public_id)).hexdigest()[:16]


def _chat_context(record: WidgetConversation, site: WidgetSite, origin: str) -> dict[str, object]:
    conversation = record.conversation
    return {
        "conversation": conversation,
        "initial_messages": transcript_payload(conversation),
        "identity_refused": record.identity == WidgetConversation.Identity.REFUSED,
        **chat_page_context(CUSTOMER, conversation),
        **_frame_context(site, origin, record),
    }


def _frameable_by(response: HttpResponse, site: WidgetSite, request: HttpRequest) -> HttpResponse:
    """Our policy with frame-ancestors naming the site's origins; enforced even where the rest
    of the policy is only reported (CSP_REPORT_ONLY), or the frame would open anywhere."""
    ancestors = {"frame-ancestors": site.origins}
    sockets = socket_origin(request)
    enforced = {**settings.SECURE_CSP, **ancestors}
    response["Content-Security-Policy"] = build_policy(enforced, socket_origin=sockets)
    if settings.SECURE_CSP_REPORT_ONLY:
        reported = {**settings.SECURE_CSP_REPORT_ONLY, **ancestors}
        response["Content-Security-Policy-Report-Only"] = build_policy(
            reported, socket_origin=sockets
        )
    response["Cache-Control"] = "no-store"
    # XFrameOptionsMiddleware reads this: no DENY beside the frame-ancestors above.
    response.xframe_options_exempt = True
    return response


def _refused(request: HttpRequest) -> HttpResponse:
    """Our own policy (never in a frame): the widget's script sees no frame and stays away."""
    return render(request, "widget/refused.html", {"reason": "site"}, status=403)
