from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from helpdesk.models import (
    Conversation,
    ConversationEvent,
    Customer,
    Message,
    MessageAnalysis,
)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "email",
        "tier",
        "language",
        "customer_since",
        "last_activity_at",
    ]
    list_filter = ["tier", "language"]
    search_fields = ["name", "email", "phone", "external_ref"]
    readonly_fields = ["created_at", "last_activity_at"]


class MessageInline(admin.TabularInline):
    model = Message
    fields = readonly_fields = ("seq", "author_kind", "author_agent", "body", "created_at")
    extra = 0
    can_delete = False
    ordering = ["seq"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # messages are written through the chat, never retyped in admin


class EventInline(admin.TabularInline):
    model = ConversationEvent
    fields = readonly_fields = ("created_at", "kind", "actor_kind", "actor_user", "data")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # the audit timeline is append-only from services


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "public_id",
        "customer",
        "status",
        "channel",
        "language",
        "assigned_agent",
        "opened_at",
    ]
    list_filter = ["status", "channel", "language"]
    search_fields = [
        "public_id",
        "customer__name",
        "customer__email",
        "claimed_email",
        "messages__body",
    ]
    list_select_related = ["customer", "assigned_agent"]
    autocomplete_fields = ["customer"]
    # Status and assignment change through the chat and routing services, which record the
    # audit event and notify the sockets; editing them here would skip both.
    readonly_fields = [
        "public_id",
        "status",
        "assigned_agent",
        "closed_at",
        "identity_verified",
        # A claim is proven by the customer's code only (helpdesk.identity), never by hand.
        "claimed_email",
        "claimed_customer",
        "contact_email",
        "last_seq",
        "last_message_at",
    ]
    inlines = [MessageInline, EventInline]
    date_hierarchy = "opened_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Conversation | None = None) -> Any:
        # Once started, a chat moves to another profile by the customer's code only.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "customer"] if obj is not None else fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Conversation], search_term: str
    ) -> tuple[QuerySet[Conversation], bool]:
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return (
            queryset.distinct(),
            False,
        )  # searching message bodies joins many rows per conversation


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["conversation", "seq", "author_kind", "author_agent", "created_at"]
    list_filter = ["author_kind"]
    search_fields = ["body", "client_msg_id", "conversation__public_id"]
    list_select_related = ["conversation", "author_agent"]
    raw_id_fields = ["conversation"]
    readonly_fields = ["seq", "created_at", "client_msg_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages are written through the chat, which numbers and publishes them


@admin.register(ConversationEvent)
class ConversationEventAdmin(admin.ModelAdmin):
    list_display = ["conversation", "kind", "actor_kind", "actor_user", "created_at"]
    list_filter = ["kind", "actor_kind"]
    search_fields = ["kind", "conversation__public_id"]
    list_select_related = ["conversation", "actor_user"]
    raw_id_fields = ["conversation"]


@admin.register(MessageAnalysis)
class MessageAnalysisAdmin(admin.ModelAdmin):
    list_display = [
        "message",
        "intent",
        "intent_confidence",
        "sentiment",
        "response_confidence",
        "answered",
    ]
    list_filter = ["intent", "sentiment", "answered", "language"]
    search_fields = ["message__body", "intent"]
    list_select_related = ["message"]
    readonly_fields = [field.name for field in MessageAnalysis._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
