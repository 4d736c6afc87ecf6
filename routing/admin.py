from django.contrib import admin
from django.http import HttpRequest

from routing.models import RoutingPolicy, RoutingRule, Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(admin.ModelAdmin):
    """One row: created on first use, edited here, never deleted."""

    list_display = [
        "__str__",
        "fallback_skill",
        "relax_after_seconds",
        "offer_timeout_seconds",
        "previous_agent_days",
        "require_language",
    ]
    fieldsets = [
        (None, {"fields": ["require_language", "previous_agent_days", "offer_timeout_seconds"]}),
        ("Relaxing a required skill", {"fields": ["fallback_skill", "relax_after_seconds"]}),
        (
            "Queue order (aging)",
            {
                "description": "Conversations queue by escalation time minus their urgency's "
                "head start: a minute waited counts as much as a minute of head start.",
                "fields": [
                    "head_start_critical",
                    "head_start_high",
                    "head_start_normal",
                    "head_start_low",
                ],
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RoutingPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "active",
        "intent",
        "boundary",
        "language",
        "tier",
        "skill",
        "min_level",
        "min_seniority",
    ]
    list_filter = ["active", "skill", "tier", "language"]
    list_editable = ["active"]
    search_fields = ["name", "intent", "skill__name"]
    list_select_related = ["skill", "boundary"]
