from django.contrib import admin
from django.http import HttpRequest

from routing.models import (
    OnCallShift,
    RoutingPolicy,
    RoutingRule,
    Skill,
    Team,
    TeamClosure,
    TeamHours,
)


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
        "offers_per_agent",
        "previous_agent_days",
        "require_language",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "require_language",
                    "previous_agent_days",
                    "offer_timeout_seconds",
                    "offers_per_agent",
                ]
            },
        ),
        ("Relaxing a required skill", {"fields": ["fallback_skill", "relax_after_seconds"]}),
        (
            "Overflow",
            {
                "description": "A queue that is too long or too slow sends conversations to a "
                "secondary skill group or straight to the callback offer.",
                "fields": [
                    "overflow_queue_length",
                    "overflow_after_minutes",
                    "overflow_action",
                    "overflow_skill",
                ],
            },
        ),
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


class TeamHoursInline(admin.TabularInline):
    model = TeamHours
    extra = 0


class TeamClosureInline(admin.TabularInline):
    model = TeamClosure
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Business hours in the team's own time zone, public holidays from the `holidays` package
    for its country, and days the supervisors close it."""

    list_display = ["name", "time_zone", "holiday_country", "is_default"]
    filter_horizontal = ["skills"]
    inlines = [TeamHoursInline, TeamClosureInline]


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ["agent", "team", "starts_at", "ends_at"]
    list_filter = ["team", "agent"]
    date_hierarchy = "starts_at"
