from django.contrib import admin

from agents.models import Agent, AgentSkill


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 1
    autocomplete_fields = ["skill"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "user",
        "languages",
        "seniority",
        "max_concurrent",
        "presence",
        "last_seen_at",
    ]
    list_filter = ["presence", "seniority", "skills"]
    search_fields = ["display_name", "user__username", "user__email", "languages"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    inlines = [AgentSkillInline]
