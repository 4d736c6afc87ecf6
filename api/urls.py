from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from api import apis, supervision

app_name = "api"

urlpatterns = [
    # Open to everyone, whatever Authorization header they send.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    # The split view serves Swagger UI's start-up script as a file of its own (?script): the
    # Content-Security-Policy refuses the inline one (templates/drf_spectacular, the inline style).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", authentication_classes=[], permission_classes=[AllowAny]
        ),
        name="docs",
    ),
    path("auth/token/", apis.TokenCreateApi.as_view(), name="token"),
    path("customers/", apis.CustomerListApi.as_view(), name="customers"),
    path("customers/<int:pk>/", apis.CustomerDetailApi.as_view(), name="customer"),
    path("conversations/", apis.ConversationListApi.as_view(), name="conversations"),
    path(
        "conversations/<uuid:public_id>/",
        apis.ConversationDetailApi.as_view(),
        name="conversation",
    ),
    path(
        "conversations/<uuid:public_id>/messages/",
        apis.MessageListApi.as_view(),
        name="messages",
    ),
    path(
        "conversations/<uuid:public_id>/handoff/",
        apis.HandoffApi.as_view(),
        name="handoff",
    ),
    path("escalations/", apis.EscalationListApi.as_view(), name="escalations"),
    path("escalations/<int:pk>/", apis.EscalationDetailApi.as_view(), name="escalation"),
    path("agents/", apis.AgentListApi.as_view(), name="agents"),
    path("agents/me/presence/", apis.MyPresenceApi.as_view(), name="my-presence"),
    path("agents/<int:pk>/", apis.AgentDetailApi.as_view(), name="agent"),
    path("agents/<int:pk>/presence/", apis.AgentPresenceApi.as_view(), name="agent-presence"),
    path("queue/", apis.QueueApi.as_view(), name="queue"),
    path("callbacks/", apis.CallbackListApi.as_view(), name="callbacks"),
    path("callbacks/<int:pk>/", apis.CallbackDetailApi.as_view(), name="callback"),
    path("callbacks/<int:pk>/take/", apis.CallbackTakeApi.as_view(), name="callback-take"),
    path("callbacks/<int:pk>/done/", apis.CallbackDoneApi.as_view(), name="callback-done"),
    path("surveys/", supervision.SurveyListApi.as_view(), name="surveys"),
    path("handoff-ratings/", supervision.HandoffRatingListApi.as_view(), name="handoff-ratings"),
    path("metrics/", supervision.MetricsApi.as_view(), name="metrics"),
    path("webhooks/", supervision.WebhookListApi.as_view(), name="webhooks"),
    path("webhooks/<int:pk>/", supervision.WebhookDetailApi.as_view(), name="webhook"),
    path(
        "webhooks/<int:pk>/deliveries/",
        supervision.WebhookDeliveryListApi.as_view(),
        name="webhook-deliveries",
    ),
]
