"""The API's JSON shapes. Output serializers only read; input serializers (nested in the APIs)
only validate: every state change goes through a service."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Agent, AgentSkill
from api.authentication import ChatCustomer
from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from escalation.models import Callback, Escalation, HandoffRating, Survey
from helpdesk.models import Conversation, Customer, Message
from helpdesk.selectors import message_payload


def valid_input(
    serializer_class: type[serializers.Serializer], data: Any, *, partial: bool = False
) -> dict[str, Any]:
    """The input, validated: a ValidationError (the API's 400 shape) otherwise."""
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    validated: dict[str, Any] = serializer.validated_data
    return validated


class StrictSerializer(serializers.Serializer):
    """Input that names a field the API does not know is refused, not silently dropped (a typo
    in an optional field would otherwise look like success)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


# -- errors -----------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable: not_authenticated, forbidden, not_found, ...")
    message = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]
        required=False,
        child=serializers.JSONField(),
        help_text="Field name -> what is wrong with it (only for invalid input).",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# -- people -----------------------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "language",
            "tier",
            "customer_since",
            "last_activity_at",
            "external_ref",
            "attributes",
            "created_at",
        ]


class CustomerBriefSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField()

    class Meta:
        model = Customer
        fields = ["id", "display_name", "email", "tier", "language"]


class AgentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agent
        fields = ["id", "display_name"]


class AgentSkillSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="skill.code")

    class Meta:
        model = AgentSkill
        fields = ["code", "level"]


class AgentSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    languages = serializers.ListField(source="language_codes", child=serializers.CharField())
    skills = AgentSkillSerializer(source="skill_levels", many=True)
    load = serializers.IntegerField(help_text="Conversations offered to or with the agent now.")

    class Meta:
        model = Agent
        fields = [
            "id",
            "username",
            "display_name",
            "presence",
            "last_seen_at",
            "load",
            "max_concurrent",
            "seniority",
            "languages",
            "skills",
        ]


# -- conversations ----------------------------------------------------------------------------


class ClaimSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The email the customer typed at the start.")
    verified = serializers.BooleanField(help_text="They typed back the code sent to it.")
    customer = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="The profile with that email (agents only; the customer never sees it).",
    )


class ConversationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    customer = CustomerBriefSerializer()
    assigned_agent = AgentBriefSerializer(allow_null=True)
    claim = serializers.SerializerMethodField()

    @extend_schema_field(ClaimSerializer(allow_null=True))
    def get_claim(self, conversation: Conversation) -> dict[str, Any] | None:
        """An email typed at the start: a claim until proven (helpdesk.identity)."""
        if not conversation.claimed_email:
            return None
        claim: dict[str, Any] = {
            "email": conversation.claimed_email,
            "verified": conversation.identity_verified,
        }
        request = self.context.get("request")
        if request is not None and not isinstance(request.user, ChatCustomer):
            claim["customer"] = conversation.claimed_customer_id
        return claim

    class Meta:
        model = Conversation
        fields = [
            "id",
            "customer",
            "status",
            "channel",
            "language",
            "opened_at",
            "closed_at",
            "assigned_agent",
            "identity_verified",
            "claim",
            "escalated_at",
            "urgency",
            "trigger",
            "last_seq",
            "last_message_at",
        ]


class ConversationCreatedSerializer(ConversationSerializer):
    chat_token = serializers.CharField(
        help_text="For the customer: 'Authorization: Chat <chat_token>' reaches this conversation."
    )

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "chat_token"]


class MessageSerializer(serializers.Serializer):
    """A message exactly as the websocket sends it (helpdesk.selectors.message_payload)."""

    seq = serializers.IntegerField()
    author_kind = serializers.ChoiceField(choices=Message.AuthorKind.choices)
    author_name = serializers.CharField(allow_blank=True)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    client_id = serializers.CharField(allow_null=True)
    actions = serializers.JSONField(allow_null=True, help_text="Buttons under the message.")

    def to_representation(self, instance: Message) -> dict[str, Any]:
        return message_payload(instance)


class MessagePostedSerializer(serializers.Serializer):
    message = MessageSerializer()
    duplicate = serializers.BooleanField(help_text="This client_id was sent before: not stored.")
    replies = MessageSerializer(many=True, help_text="The assistant's answer or handoff, if any.")


class HandoffSerializer(serializers.Serializer):
    """The latest handoff package (escalation/handoff.py), as the agent's pages read it."""

    conversation = serializers.UUIDField()
    version = serializers.IntegerField()
    summary = serializers.JSONField()
    classification = serializers.JSONField()
    customer = serializers.JSONField()
    trigger = serializers.JSONField()
    knowledge_articles = serializers.JSONField()
    assessment = serializers.JSONField()
    customer_requests = serializers.JSONField()
    related = serializers.JSONField()
    transcript = serializers.JSONField()


class EscalationSerializer(serializers.ModelSerializer):
    conversation = serializers.UUIDField(source="conversation.public_id")
    message_seq = serializers.IntegerField(source="message.seq", allow_null=True)
    boundary = serializers.CharField(source="boundary.code", allow_null=True)
    skill = serializers.CharField(source="skill.code", allow_null=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "conversation",
            "message_seq",
            "category",
            "rule",
            "evidence",
            "triggers",
            "boundary",
            "skill",
            "urgency",
            "created_at",
        ]


class QueueEntrySerializer(serializers.Serializer):
    position = serializers.IntegerField(
        allow_null=True, help_text="1: the next to be assigned (None: not placed in line yet)."
    )
    estimated_wait_seconds = serializers.FloatField(
        allow_null=True, help_text="None while nobody qualified is online."
    )
    conversation = ConversationSerializer()


class CallbackSerializer(serializers.ModelSerializer):
    conversation = serializers.UUIDField(source="conversation.public_id")
    customer_name = serializers.CharField(source="conversation.customer.display_name")
    agent = AgentBriefSerializer(allow_null=True)

    class Meta:
        model = Callback
        fields = [
            "id",
            "conversation",
            "customer_name",
            "kind",
            "status",
            "phone",
            "email",
            "due_at",
            "emergency",
            "agent",
            "summary",
            "escalated_again_at",
            "created_at",
            "completed_at",
        ]


# -- webhooks ---------------------------------------------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "active", "created_at", "updated_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="Signs every delivery (X-Helpdesk-Signature). Shown only this once."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    conversation = serializers.UUIDField(source="conversation.public_id", allow_null=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_id",
            "conversation",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
        ]


# -- surveys, ratings and metrics ---------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    conversation = serializers.UUIDField(source="conversation.public_id")
    trigger = serializers.CharField(source="conversation.trigger")

    class Meta:
        model = Survey
        fields = [
            "id",
            "conversation",
            "trigger",
            "satisfaction",
            "repeated",
            "comment",
            "sent_at",
            "answered_at",
        ]


class HandoffRatingSerializer(serializers.ModelSerializer):
    conversation = serializers.UUIDField(source="conversation.public_id")
    agent = AgentBriefSerializer()
    context_sufficient = serializers.BooleanField()
    prepared = serializers.BooleanField()

    class Meta:
        model = HandoffRating
        fields = [
            "id",
            "conversation",
            "agent",
            "verdict",
            "context_sufficient",
            "prepared",
            "missing",
            "created_at",
        ]


class MetricTableSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    rows = serializers.ListField(child=serializers.DictField())


class MetricsSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    tables = MetricTableSerializer(many=True)
