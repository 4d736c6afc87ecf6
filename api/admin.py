"""Supervisors register webhook URLs here (or through /api/webhooks/) and watch deliveries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "event_list", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    @admin.display(description="events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        fields = {name: getattr(obj, name) for name in ("url", "events", "description", "active")}
        if change:
            webhooks.endpoint_update(endpoint=obj, **fields)
            return
        created = webhooks.endpoint_create(created_by=request.user, **fields)
        obj.pk, obj.secret = created.pk, created.secret
        messages.warning(
            request,
            f"The secret that signs this endpoint's deliveries is {created.secret} - copy it "
            "now: it is not shown again.",
        )

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        webhooks.endpoint_delete(endpoint=obj)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["event_id", "endpoint__url"]
    actions = ["send_again"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the failed ones again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        failed = list(queryset.filter(status=WebhookDelivery.Status.FAILED))
        for delivery in failed:
            webhooks.delivery_retry(delivery=delivery)
        messages.success(request, f"{len(failed)} delivery(ies) queued again.")
