from django import forms
from django.contrib import admin
from django.http import HttpRequest

from escalation.models import (
    Callback,
    CapabilityBoundary,
    CapabilityPolicy,
    ConfidencePolicy,
    Escalation,
    ExplicitRequestPolicy,
    HandoffPackage,
    HandoffRating,
    LoopLimit,
    LoopPolicy,
    MeasurementPolicy,
    MessageTemplate,
    SentimentPolicy,
    Survey,
    Timer,
    TransitionPolicy,
    UrgencyCriterion,
)
from escalation.texts import SHIPPED, placeholders, shipped


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
    list_display = [
        "name",
        "code",
        "enabled",
        "intents",
        "similarity_threshold",
        "skill",
        "urgency",
    ]
    list_filter = ["enabled", "urgency", "skill"]
    search_fields = ["name", "code", "intents", "phrases", "examples"]
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


class MessageTemplateForm(forms.ModelForm):
    key = forms.ChoiceField(choices=[(key, key) for key in SHIPPED])

    class Meta:
        model = MessageTemplate
        fields = ["key", "language", "text"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """The customer's texts, per language. A key without a row uses the shipped text, shown
    below with the placeholders it may use."""

    form = MessageTemplateForm
    list_display = ["key", "language", "text", "updated_at"]
    list_filter = ["language", "key"]
    search_fields = ["key", "text"]
    readonly_fields = ["shipped_texts"]

    @admin.display(description="Shipped texts")
    def shipped_texts(self, obj: MessageTemplate) -> str:
        if not obj.key:
            return "Choose a key and save to see its shipped texts."
        lines = [f"{lang}: {shipped(obj.key, lang)}" for lang in ("en", "es", "fr", "de")]
        names = ", ".join("{" + name + "}" for name in sorted(placeholders(shipped(obj.key, "en"))))
        return "\n".join([*lines, f"Placeholders: {names or 'none'}"])


@admin.register(TransitionPolicy)
class TransitionPolicyAdmin(SingletonAdmin):
    list_display = [
        "__str__",
        "enabled",
        "update_every_minutes",
        "offer_callback_after_minutes",
        "emergency_answer_minutes",
        "guaranteed_callback_minutes",
    ]


@admin.register(UrgencyCriterion)
class UrgencyCriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "customer_text", "category", "boundary", "min_urgency"]
    list_editable = ["active"]


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = [
        "due_at",
        "kind",
        "status",
        "emergency",
        "agent",
        "conversation",
        "phone",
        "email",
    ]
    list_filter = ["status", "kind", "emergency"]
    list_select_related = ["agent", "conversation"]
    raw_id_fields = ["conversation"]
    date_hierarchy = "due_at"


@admin.register(Timer)
class TimerAdmin(admin.ModelAdmin):
    """Read-only: timers are scheduled and run by the code; this shows what ran and when."""

    list_display = ["kind", "due_at", "done_at", "attempts", "outcome", "conversation"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "outcome"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MeasurementPolicy)
class MeasurementPolicyAdmin(SingletonAdmin):
    """The hold-out share, the direct channels, and (`enabled`) the customer survey."""

    list_display = ["__str__", "enabled", "holdout_share", "direct_channels"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["conversation", "satisfaction", "repeated", "comment", "sent_at", "answered_at"]
    list_filter = ["satisfaction", "repeated"]
    search_fields = ["comment"]
    raw_id_fields = ["conversation"]


@admin.register(HandoffRating)
class HandoffRatingAdmin(admin.ModelAdmin):
    list_display = ["conversation", "agent", "verdict", "missing", "created_at"]
    list_filter = ["verdict", "agent"]
    search_fields = ["missing"]
    raw_id_fields = ["conversation"]
