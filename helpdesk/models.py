"""The core domain: customers, their conversations, the messages and the audit timeline."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

LANGUAGE_CHOICES = [("en", "English"), ("es", "Spanish"), ("fr", "French"), ("de", "German")]


class Customer(models.Model):
    class Tier(models.TextChoices):
        STANDARD = "standard", "Standard"
        PREMIUM = "premium", "Premium"
        VIP = "vip", "VIP"

    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    customer_since = models.DateField(default=timezone.localdate)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    external_ref = models.CharField(
        max_length=100, blank=True, help_text="The customer's id in the shop or CRM."
    )
    attributes = models.JSONField(
        default=dict, blank=True, help_text="Whatever an integration stored on the customer."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="customer_email_unique"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email or f"Visitor #{self.pk}"


class Urgency(models.TextChoices):
    """Declared from the least to the most urgent: that order is the ranking everywhere (the
    queue's head start, the inbox's order, the handoff's assessment, the on-call path)."""

    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"

    @classmethod
    def rank(cls, value: str, *, unknown: int = 0) -> int:
        """0 (low) to 3 (critical); `unknown` for an empty or unknown value."""
        return cls.values.index(value) if value in cls.values else unknown


class Conversation(models.Model):
    class Status(models.TextChoices):
        ASSISTANT = "assistant", "With the assistant"
        WAITING = "waiting", "Waiting for an agent"
        WITH_AGENT = "with_agent", "With an agent"
        CALLBACK = "callback", "Callback scheduled"
        FOLLOW_UP = "follow_up", "Email follow-up"
        RESOLVED = "resolved", "Resolved"

    # Scheduled: people will come back to the customer (a call, an email); no live queue.
    SCHEDULED_STATUSES = (Status.CALLBACK, Status.FOLLOW_UP)
    OPEN_STATUSES = (Status.ASSISTANT, Status.WAITING, Status.WITH_AGENT, *SCHEDULED_STATUSES)
    # With people: waiting for an agent (or offered to one) or with one. What counts towards an
    # agent's load, and what a new handoff package version follows.
    HANDED_OVER_STATUSES = (Status.WAITING, Status.WITH_AGENT)

    class Channel(models.TextChoices):
        WEB = "web", "Web chat"
        WIDGET = "widget", "Embedded widget"
        EMAIL = "email", "Email"
        API = "api", "API"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="conversations")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ASSISTANT)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    assigned_agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    identity_verified = models.BooleanField(
        default=False,
        help_text="Whether the customer proved who they are. A web chat only claims an email.",
    )
    # An email typed at the start is only a claim: the conversation gets a profile of its own
    # (what was typed here) and the claimed profile is shown to agents only, until the customer
    # proves the address with a code sent to it (helpdesk.identity).
    claimed_email = models.EmailField(
        blank=True, help_text="An email the customer typed and has not proven yet."
    )
    claimed_customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_conversations",
        help_text="The profile with the claimed email: for agents, marked unverified.",
    )
    contact_email = models.EmailField(
        blank=True, help_text="An address the customer typed in this chat to be reached on."
    )
    # The last sequence number handed out; messages take last_seq + 1 under a row lock.
    last_seq = models.PositiveIntegerField(default=0, editable=False)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Copied from the latest escalation so the inbox sorts and shows them without a join.
    escalated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    urgency = models.CharField(max_length=10, blank=True, help_text="low, normal, high or critical")
    trigger = models.CharField(max_length=20, blank=True, help_text="What handed it to people.")
    # Routing: the queue runs in queue_key order (escalation time minus the urgency's head start);
    # offered_at is when routing gave it to assigned_agent, who has not accepted yet (status
    # still waiting); declined_by lists agents whose offer ran out, so it is not offered again
    # (unless nobody else qualifies); passed_by lists agents who passed on it, to whom routing
    # never offers it again (they can still take it from the queue themselves).
    queue_key = models.DateTimeField(null=True, blank=True, db_index=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.JSONField(default=list, blank=True)
    passed_by = models.JSONField(default=list, blank=True)
    automated = models.BooleanField(
        default=True,
        help_text="False: it went straight to agents (the hold-out, or a direct channel).",
    )
    overflowed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it overflowed to the secondary skill group."
    )
    routing_note = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["status", "opened_at"]),
            # An agent's load (open conversations assigned to them), counted on every routing.
            models.Index(fields=["assigned_agent", "status"]),
        ]
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Conversation {self.public_id} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_with(self, agent_id: int) -> bool:
        """The agent has accepted it (an offer still waiting does not count)."""
        return self.assigned_agent_id == agent_id and self.status == self.Status.WITH_AGENT

    def is_offered_to(self, agent_id: int) -> bool:
        """Routed or assigned to the agent, who has not accepted it yet."""
        return self.status == self.Status.WAITING and self.assigned_agent_id == agent_id

    def may_be_accepted_by(self, agent_id: int) -> bool:
        """Open and free, or offered to this agent and not yet accepted."""
        return self.is_open and (self.assigned_agent_id is None or self.is_offered_to(agent_id))

    @property
    def group_name(self) -> str:
        """The channel-layer group every socket watching this conversation joins."""
        return f"conversation.{self.public_id.hex}"


class Message(models.Model):
    class AuthorKind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        ASSISTANT = "assistant", "Assistant"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    author_kind = models.CharField(max_length=16, choices=AuthorKind.choices)
    author_agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # Buttons under an assistant message: {"kind": ..., "choices": [{"id", "label", "input"}]}.
    actions = models.JSONField(default=dict, blank=True)
    # NULL, not "", for messages without one: the unique constraint applies only to real ids.
    client_msg_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "client_msg_id"],
                condition=models.Q(client_msg_id__isnull=False),
                name="message_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.author_kind}: {self.body[:40]}"


class ConversationEvent(models.Model):
    """One row of a conversation's audit timeline: who did what, with the evidence."""

    class Kind(models.TextChoices):
        """Every kind of timeline row, defined once (the code writes these, never strings)."""

        CONVERSATION_OPENED = "conversation.opened", "Conversation opened"
        CONVERSATION_DIRECT = (
            "conversation.direct",
            "Sent straight to people (hold-out or direct channel)",
        )
        CONVERSATION_ESCALATED = "conversation.escalated", "Handed to people"
        CONVERSATION_RESOLVED = "conversation.resolved", "Resolved"
        AGENT_JOINED = "agent.joined", "An agent joined"
        AGENT_LEFT = "agent.left", "An agent left"
        ASSISTANT_ANSWERED = "assistant.answered", "The assistant answered"
        ASSISTANT_FALLBACK = "assistant.fallback", "The assistant had no answer"
        ASSISTANT_REPHRASE_REQUESTED = (
            "assistant.rephrase_requested",
            "The assistant asked to rephrase",
        )
        ASSISTANT_PERSON_REQUEST_DECLINED = (
            "assistant.person_request_declined",
            "The customer declined a person",
        )
        ASSISTANT_TURN_FAILED = (
            "assistant.turn_failed",
            "The assistant's turn kept failing",
        )
        IDENTITY_CLAIMED = "identity.claimed", "An email was claimed"
        IDENTITY_VERIFIED = "identity.verified", "The email was proved"
        ROUTING_ASSIGNED = "routing.assigned", "Offered to an agent"
        ROUTING_QUEUED = "routing.queued", "Left in the queue"
        ROUTING_MANUAL = "routing.manual", "Assigned by a supervisor"
        ROUTING_RELEASED = "routing.released", "Taken back from an agent"
        ROUTING_OVERFLOWED = "routing.overflowed", "Overflowed"
        TRANSITION_PAGED = "transition.paged", "Agents paged"
        TRANSITION_EMERGENCY = "transition.emergency", "Emergency path taken"
        CALLBACK_SCHEDULED = "callback.scheduled", "Callback booked"
        CALLBACK_DONE = "callback.done", "Callback done"
        CALLBACK_DEADLINE_AT_RISK = "callback.deadline_at_risk", "Callback deadline at risk"

    class ActorKind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        ASSISTANT = "assistant", "Assistant"
        AGENT = "agent", "Agent"
        SUPERVISOR = "supervisor", "Supervisor"
        SYSTEM = "system", "System"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=48, db_index=True, choices=Kind.choices)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_kind}"


class KnowledgeArticle(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated keywords.")
    intents = models.CharField(
        max_length=300,
        blank=True,
        help_text="Comma-separated intent codes this article answers, e.g. 'order_status'.",
    )
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["title", "language"], name="article_title_language")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]

    @property
    def intent_list(self) -> list[str]:
        return [code.strip() for code in self.intents.split(",") if code.strip()]


class MessageAnalysis(models.Model):
    """What the assistant made of one customer message, kept for later decisions and metrics."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="analysis")
    language = models.CharField(max_length=8)
    intent = models.CharField(max_length=50, db_index=True)
    intent_confidence = models.FloatField()
    sentiment = models.CharField(max_length=10)
    sentiment_score = models.FloatField()
    article = models.ForeignKey(
        KnowledgeArticle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_confidence = models.FloatField()
    resolution_type = models.CharField(
        max_length=50, blank=True, help_text="What the assistant answered with, for loop counting."
    )
    answered = models.BooleanField(default=False)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "message analyses"

    def __str__(self) -> str:
        return f"{self.intent} ({self.intent_confidence:.2f})"


class EmailCode(models.Model):
    """A one-time code sent to a claimed email: typing it back in the chat proves the address.
    Only its hash is stored; it expires, and a few wrong guesses use it up."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="email_codes"
    )
    email = models.EmailField()
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Code for {self.email} ({self.conversation_id})"


class OwedTurn(models.Model):
    """A customer message the assistant still owes a turn (an answer, a handoff, or listening
    for urgency while people have the conversation).

    Written in the message's own transaction and deleted once its turn is done, so a turn lost
    to a dead process, a killed worker or an error is found by the sweep and taken again.
    """

    message = models.OneToOneField(
        Message, primary_key=True, on_delete=models.CASCADE, related_name="owed_turn"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="owed_turns"
    )
    seq = models.PositiveIntegerField(help_text="The message's place: turns are taken in order.")
    owed_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="Someone is taking it; retaken after this if not done."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["conversation_id", "seq"]

    def __str__(self) -> str:
        return f"Turn owed for message {self.message_id}"
