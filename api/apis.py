"""The REST API: one view per URL, thin. Reads go through api.selectors, every state change
through the project's services (helpdesk, agents, escalation, routing) or api.webhooks."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents import throttle
from agents.models import Agent
from agents.selectors import agent_for_user, latest_handoff
from agents.services import agent_set_presence
from api import filters, selectors
from api.authentication import ChatCustomer
from api.permissions import (
    HasAgentProfile,
    IsAgentOrConversationCustomer,
    is_supervisor,
    request_agent,
)
from api.serializers import (
    AgentSerializer,
    CallbackSerializer,
    ConversationCreatedSerializer,
    ConversationSerializer,
    CustomerSerializer,
    ErrorSerializer,
    EscalationSerializer,
    HandoffSerializer,
    MessagePostedSerializer,
    MessageSerializer,
    QueueEntrySerializer,
    StrictSerializer,
    valid_input,
)
from api.services import token_issue
from api.throttling import MessageRateThrottle
from escalation.callbacks import callback_complete, callback_take
from escalation.models import Callback
from helpdesk.chatprotocol import CLIENT_ID_PATTERN, FrameError, parse_frame
from helpdesk.chattoken import make_chat_token
from helpdesk.flows import (
    agent_post_message,
    conversation_open,
    customer_message_answer,
)
from helpdesk.models import LANGUAGE_CHOICES, Conversation, Customer, Message
from helpdesk.selectors import conversation_by_public_id
from routing.estimates import wait_estimate
from routing.selectors import waiting_queue

logger = logging.getLogger(__name__)


# -- agents' tokens ---------------------------------------------------------------------------


class TokenCreateApi(APIView):
    """Exchange an agent's or supervisor's username and password for their API token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    error_codes = ["400", "403", "415"]

    class TokenInputSerializer(StrictSerializer):
        username = serializers.CharField()
        password = serializers.CharField(trim_whitespace=False)

    class TokenSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send it as 'Authorization: Token <token>'.")

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            200: TokenSerializer,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed sign-ins for this username or address (counted "
                "with the sign-in pages'): wait for Retry-After seconds.",
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = valid_input(self.TokenInputSerializer, request.data)
        # Throttled like the sign-in pages (agents.throttle), or it would be a way around them.
        username, address = data["username"], throttle.address_of(request.META)
        if wait := throttle.refused_for(username=username, address=address):
            raise Throttled(wait, throttle.refusal_message(wait))
        user = authenticate(username=username, password=data["password"])
        if user is None:
            throttle.failure_record(username=username, address=address)
            raise ValidationError("Unable to sign in with these credentials.")
        throttle.success_record(username=username, address=address)
        if not user.is_staff and agent_for_user(user) is None:
            raise PermissionDenied("Only agents and supervisors get API tokens.")
        return Response({"token": token_issue(user=user).key})


# -- customers --------------------------------------------------------------------------------


class CustomerListApi(generics.ListAPIView):
    serializer_class = CustomerSerializer
    filterset_class = filters.CustomerFilter

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.customers()


class CustomerDetailApi(generics.RetrieveAPIView):
    serializer_class = CustomerSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.customers()


# -- conversations ----------------------------------------------------------------------------


class ConversationListApi(generics.ListAPIView):
    """GET: every conversation, newest first. POST: start one for a customer (the assistant
    takes it, as on /chat/); the answer carries the customer's chat token."""

    serializer_class = ConversationSerializer
    filterset_class = filters.ConversationFilter

    class ConversationStartSerializer(StrictSerializer):
        customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
        channel = serializers.ChoiceField(
            choices=Conversation.Channel.choices, default=Conversation.Channel.API
        )
        language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)

    def get_queryset(self) -> QuerySet[Conversation]:
        return selectors.conversations()

    @extend_schema(
        request=ConversationStartSerializer, responses={201: ConversationCreatedSerializer}
    )
    def post(self, request: Request) -> Response:
        data = valid_input(self.ConversationStartSerializer, request.data)
        conversation = conversation_open(
            customer=data["customer"], channel=data["channel"], language=data.get("language")
        )
        found = selectors.conversations().get(pk=conversation.pk)
        token = make_chat_token(customer_id=found.customer_id, conversation=str(found.public_id))
        body = {**ConversationSerializer(found).data, "chat_token": token}
        return Response(body, status=status.HTTP_201_CREATED)


class ConversationDetailApi(generics.RetrieveAPIView):
    """One conversation: agents any, a customer their own."""

    serializer_class = ConversationSerializer
    permission_classes = [IsAgentOrConversationCustomer]
    lookup_field = "public_id"

    def get_queryset(self) -> QuerySet[Conversation]:
        return _conversations_for(self.request)


class MessageListApi(generics.ListAPIView):
    """GET: the messages in sequence order (?after=<seq> for those after it). POST: write one,
    as the customer (the assistant then answers or hands over, as on the websocket) or as an
    agent who has joined. A resend with the same client_id stores nothing twice."""

    serializer_class = MessageSerializer
    filterset_class = filters.MessageFilter
    permission_classes = [IsAgentOrConversationCustomer]
    throttle_classes = [MessageRateThrottle]

    class MessagePostSerializer(StrictSerializer):
        body = serializers.CharField(help_text="The text, as typed (control characters dropped).")
        client_id = serializers.RegexField(
            CLIENT_ID_PATTERN,
            required=False,
            help_text="The client's id for this message (1-64 of A-Z a-z 0-9 _ . : -): "
            "sending it again stores nothing twice.",
        )

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            # The websocket's own rules for a message (size, emptiness, cleaning), not a copy.
            frame = {"type": "message", "body": data["body"], "client_id": "api"}
            try:
                parsed = parse_frame(json.dumps(frame), max_bytes=settings.CHAT_MAX_FRAME_BYTES)
            except FrameError as error:
                raise ValidationError({"body": [error.message]}) from None
            return {**data, "body": parsed.fields["body"]}

    def get_queryset(self) -> QuerySet[Message]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the types
            return Message.objects.none()
        return selectors.conversation_messages(self._conversation())

    def _conversation(self) -> Conversation:
        found = _conversations_for(self.request).filter(public_id=self.kwargs["public_id"]).first()
        if found is None:
            raise NotFound("No such conversation.")
        return found

    @extend_schema(
        request=MessagePostSerializer,
        responses={
            201: MessagePostedSerializer,
            200: OpenApiResponse(MessagePostedSerializer, description="A resend: not stored."),
        },
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        data = valid_input(self.MessagePostSerializer, request.data)
        conversation = self._conversation()
        user: Any = request.user
        if isinstance(user, ChatCustomer):
            # Answered in this response: the turn is taken here (owed all the same, so a turn
            # that raises is taken again by the sweep, and a resend never answers twice).
            result, outcome = customer_message_answer(
                public_id=conversation.public_id,
                customer_id=user.customer_id,
                body=data["body"],
                client_msg_id=data.get("client_id", ""),
            )
            replies = outcome.replies
        else:
            agent = request_agent(request)
            if agent is None:
                raise PermissionDenied("Only users with an agent profile write to customers.")
            result = agent_post_message(
                public_id=conversation.public_id,
                agent=agent,
                body=data["body"],
                client_msg_id=data.get("client_id", ""),
            )
            replies = []
        body = MessagePostedSerializer(
            {"message": result.message, "duplicate": not result.created, "replies": replies}
        ).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else 200)


def _conversations_for(request: Request) -> QuerySet[Conversation]:
    rows = selectors.conversations()
    user: Any = request.user
    if isinstance(user, ChatCustomer):
        return rows.filter(customer_id=user.customer_id)
    return rows


class HandoffApi(APIView):
    """The latest handoff package: what the agent needs to carry on (agents only)."""

    @extend_schema(responses={200: HandoffSerializer})
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        found = conversation_by_public_id(public_id)
        package = latest_handoff(found) if found is not None else None
        if package is None:
            raise NotFound("No handoff package for this conversation.")
        return Response(
            {"conversation": str(public_id), "version": package.version, **package.data}
        )

    def permission_denied(
        self, request: Request, message: Any = None, code: Any = None
    ) -> NoReturn:
        super().permission_denied(request, "Only agents may read handoff packages.", code)


# -- escalations ------------------------------------------------------------------------------


class EscalationListApi(generics.ListAPIView):
    serializer_class = EscalationSerializer
    filterset_class = filters.EscalationFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.escalations()


class EscalationDetailApi(generics.RetrieveAPIView):
    serializer_class = EscalationSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.escalations()


# -- agents and presence ----------------------------------------------------------------------


class AgentListApi(generics.ListAPIView):
    """Agents with their presence and load (conversations offered to or with them)."""

    serializer_class = AgentSerializer
    filterset_class = filters.AgentFilter

    def get_queryset(self) -> QuerySet[Agent]:
        return selectors.agents()


class AgentDetailApi(generics.RetrieveAPIView):
    serializer_class = AgentSerializer

    def get_queryset(self) -> QuerySet[Agent]:
        return selectors.agents()


class PresenceInputSerializer(StrictSerializer):
    presence = serializers.ChoiceField(choices=Agent.Presence.choices)


def _set_presence(request: Request, agent: Agent) -> Response:
    data = valid_input(PresenceInputSerializer, request.data)
    agent_set_presence(agent=agent, presence=data["presence"])
    return Response(AgentSerializer(selectors.agents().get(pk=agent.pk)).data)


class MyPresenceApi(APIView):
    """Set your own presence: online takes conversations from the queue at once; away or
    offline hands those offered to you and not yet accepted to someone else."""

    permission_classes = [HasAgentProfile]

    @extend_schema(request=PresenceInputSerializer, responses={200: AgentSerializer})
    def put(self, request: Request) -> Response:
        agent = request_agent(request)
        assert agent is not None  # HasAgentProfile
        return _set_presence(request, agent)


class AgentPresenceApi(APIView):
    """Set an agent's presence: supervisors for anyone, an agent for themselves."""

    @extend_schema(request=PresenceInputSerializer, responses={200: AgentSerializer})
    def put(self, request: Request, pk: int) -> Response:
        own = request_agent(request)
        if not is_supervisor(request) and (own is None or own.pk != pk):
            raise PermissionDenied("Only supervisors set other agents' presence.")
        agent = Agent.objects.filter(pk=pk).first()
        if agent is None:
            raise NotFound("No such agent.")
        return _set_presence(request, agent)


# -- the queue --------------------------------------------------------------------------------


class QueueApi(generics.ListAPIView):
    """Conversations waiting for an agent, in queue order, each with its place and estimated
    wait: exactly what the customer is told (routing.estimates.wait_estimate)."""

    serializer_class = QueueEntrySerializer

    def get_queryset(self) -> QuerySet[Conversation]:
        return waiting_queue().select_related("customer", "assigned_agent")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # always paginated
        entries = []
        for conversation in page:
            estimate = wait_estimate(conversation)
            entries.append(
                {
                    "position": estimate["position"],
                    "estimated_wait_seconds": estimate["seconds"],
                    "conversation": conversation,
                }
            )
        return self.get_paginated_response(QueueEntrySerializer(entries, many=True).data)


# -- callbacks --------------------------------------------------------------------------------


class CallbackListApi(generics.ListAPIView):
    """Scheduled calls and email follow-ups, the soonest due first (?status= for others)."""

    serializer_class = CallbackSerializer
    filterset_class = filters.CallbackFilter

    def get_queryset(self) -> QuerySet[Callback]:
        return selectors.callbacks()


class CallbackDetailApi(generics.RetrieveAPIView):
    serializer_class = CallbackSerializer

    def get_queryset(self) -> QuerySet[Callback]:
        return selectors.callbacks()


class CallbackTakeApi(APIView):
    """The callback becomes yours (it stays scheduled)."""

    permission_classes = [HasAgentProfile]

    @extend_schema(request=None, responses={200: CallbackSerializer})
    def post(self, request: Request, pk: int) -> Response:
        return _callback_action(request, pk, callback_take)


class CallbackDoneApi(APIView):
    """You called or wrote back: the callback is done and the conversation resolved."""

    permission_classes = [HasAgentProfile]

    @extend_schema(request=None, responses={200: CallbackSerializer})
    def post(self, request: Request, pk: int) -> Response:
        return _callback_action(request, pk, callback_complete)


def _callback_action(request: Request, pk: int, action: Any) -> Response:
    if request.data:
        raise ValidationError("This action takes no body.")
    try:
        action(callback_id=pk, agent=request_agent(request))
    except Callback.DoesNotExist:
        raise NotFound("No such callback.") from None
    return Response(CallbackSerializer(selectors.callbacks().get(pk=pk)).data)
