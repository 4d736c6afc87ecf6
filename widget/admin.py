"""Widget sites in admin: the allowed origins, the snippet to paste, the identity secret (shown,
and rotated by an action), and where each widget chat came from."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from widget.models import WidgetConversation, WidgetSite
from widget.services import widget_site_secret_rotate


def snippet(site: WidgetSite) -> str:
    """The tag a site's pages carry (docs/widget.md adds the signed-in customer's attributes)."""
    src = settings.SITE_URL + static("helpdesk/widget/widget.js")
    return f'<script src="{src}" data-site="{site.key}" async></script>'


@admin.register(WidgetSite)
class WidgetSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "active", "origins_listed", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "key", "allowed_origins"]
    fields = ["name", "allowed_origins", "active", "key", "the_snippet", "identity_secret"]
    readonly_fields = ["key", "the_snippet", "identity_secret", "created_at"]
    actions = ["rotate_secret"]

    @admin.display(description="Allowed origins")
    def origins_listed(self, site: WidgetSite) -> str:
        return ", ".join(site.origins)

    @admin.display(description="Snippet for the site's pages")
    def the_snippet(self, site: WidgetSite) -> SafeString | str:
        if site.pk is None:
            return "Saved sites show their snippet here."
        return format_html("<code>{}</code>", snippet(site))  # escaped: shown, never run

    @admin.action(
        description="Rotate the identity secret (hashes made with the old one stop working)"
    )
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WidgetSite]) -> None:
        for site in queryset:
            widget_site_secret_rotate(site_id=site.pk)
        self.message_user(
            request,
            f"New identity secret for {queryset.count()} site(s): give it to their servers.",
            messages.WARNING,
        )


@admin.register(WidgetConversation)
class WidgetConversationAdmin(admin.ModelAdmin):
    list_display = ["conversation", "site", "host_origin", "identity", "created_at"]
    list_filter = ["site", "identity"]
    readonly_fields = ["conversation", "site", "host_origin", "user_id", "identity", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by the widget, never typed in
