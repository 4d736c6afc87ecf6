from django.contrib import admin
from django.http import HttpRequest

from escalation.models import (
    CapabilityBoundary,
    CapabilityPolicy,
    ConfidencePolicy,
    Escalation,
    ExplicitRequestPolicy,
    HandoffPackage,
    LoopLimit,
    LoopPolicy,
    SentimentPolicy,
)


class SingletonAdmin(admin.ModelAdmin):
    """One row per policy: it exists from the first use, can be edited, never added or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not self.model._default_manager.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ExplicitRequestPolicy)
class ExplicitRequestPolicyAdmin(SingletonAdmin):
    list_display = ["__str__", "enabled", "intent_threshold", "updated_at"]


@admin.register(SentimentPolicy)
class SentimentPolicyAdmin(SingletonAdmin):
    list_display = ["__str__", "enabled", "threshold", "consecutive", "updated_at"]


@admin.register(CapabilityPolicy)
class CapabilityPolicyAdmin(SingletonAdmin):
    list_display = ["__str__", "enabled", "updated_at"]


@admin.register(ConfidencePolicy)
class ConfidencePolicyAdmin(SingletonAdmin):
    list_display = [
        "__str__",
        "enabled",
        "classification_threshold",
        "response_threshold",
        "ask_to_rephrase",
    ]


class LoopLimitInline(admin.TabularInline):
    model = LoopLimit
    extra = 1


@admin.register(LoopPolicy)
class LoopPolicyAdmin(SingletonAdmin):
    list_display = ["__str__", "enabled", "max_attempts", "similarity_threshold", "updated_at"]
    inlines = [LoopLimitInline]


@admin.register(CapabilityBoundary)
class CapabilityBoundaryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "enabled", "intents", "skill", "urgency"]
    list_filter = ["enabled", "urgency", "skill"]
    search_fields = ["name", "code", "intents", "phrases"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["conversation", "category", "rule", "urgency", "skill", "created_at"]
    list_filter = ["category", "urgency", "skill"]
    search_fields = ["rule", "conversation__public_id", "conversation__customer__email"]
    list_select_related = ["conversation", "skill"]
    raw_id_fields = ["conversation", "message"]
    readonly_fields = [
        "conversation",
        "message",
        "category",
        "rule",
        "evidence",
        "triggers",
        "boundary",
        "skill",
        "urgency",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # escalations are decisions the engine records, not data entry


@admin.register(HandoffPackage)
class HandoffPackageAdmin(admin.ModelAdmin):
    list_display = ["conversation", "version", "escalation", "last_seq", "created_at"]
    search_fields = ["conversation__public_id", "conversation__customer__email"]
    list_select_related = ["conversation", "escalation"]
    readonly_fields = ["conversation", "escalation", "version", "last_seq", "data", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # snapshots the system takes, never typed in
