"""The supervisors' endpoints: webhooks, surveys, handoff ratings and metrics."""

from __future__ import annotations

import logging
from typing import Any

from django.core.validators import URLValidator
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters, selectors, webhooks
from api.addresses import PrivateHostError, refuse_private_host
from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from api.permissions import (
    IsSupervisor,
)
from api.serializers import (
    HandoffRatingSerializer,
    MetricsSerializer,
    StrictSerializer,
    SurveySerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    valid_input,
)
from escalation.metrics import Period, all_tables

logger = logging.getLogger(__name__)


# -- webhooks (supervisors) -------------------------------------------------------------------


class WebhookInputSerializer(StrictSerializer):
    url = serializers.URLField(max_length=500, validators=[URLValidator(schemes=["http", "https"])])

    def validate_url(self, value: str) -> str:
        try:
            refuse_private_host(value, resolve=False)
        except PrivateHostError as error:
            raise serializers.ValidationError(str(error)) from None
        return value

    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class WebhookListApi(generics.ListAPIView):
    """GET: the registered endpoints. POST: register one; its secret is shown only then."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsSupervisor]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.webhook_endpoints()

    @extend_schema(
        request=WebhookInputSerializer, responses={201: WebhookEndpointCreatedSerializer}
    )
    def post(self, request: Request) -> Response:
        data = valid_input(WebhookInputSerializer, request.data)
        endpoint = webhooks.endpoint_create(created_by=request.user, **data)
        body = {**WebhookEndpointSerializer(endpoint).data, "secret": endpoint.secret}
        return Response(body, status=status.HTTP_201_CREATED)


class WebhookDetailApi(generics.RetrieveAPIView):
    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsSupervisor]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.webhook_endpoints()

    @extend_schema(request=WebhookInputSerializer, responses={200: WebhookEndpointSerializer})
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=WebhookInputSerializer, responses={200: WebhookEndpointSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        webhooks.endpoint_delete(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, *, partial: bool) -> Response:
        endpoint = self.get_object()
        data = valid_input(WebhookInputSerializer, request.data, partial=partial)
        endpoint = webhooks.endpoint_update(endpoint=endpoint, **data)
        return Response(WebhookEndpointSerializer(endpoint).data)


class WebhookDeliveryListApi(generics.ListAPIView):
    """An endpoint's deliveries, newest first: status, attempts, the next one and the last error."""

    serializer_class = WebhookDeliverySerializer
    filterset_class = filters.WebhookDeliveryFilter
    permission_classes = [IsSupervisor]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        endpoint = selectors.webhook_endpoints().filter(pk=self.kwargs["pk"]).first()
        if endpoint is None:
            raise NotFound("No such webhook.")
        return selectors.webhook_deliveries(endpoint)


# -- surveys, ratings and metrics -----------------------------------------------------------------


class SurveyListApi(generics.ListAPIView):
    """The customers' answers after conversations people handled (supervisors: customers'
    comments and colleagues' ratings are for whoever reviews the team, like the dashboard)."""

    serializer_class = SurveySerializer
    permission_classes = [IsSupervisor]
    filterset_class = filters.SurveyFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.surveys()


class HandoffRatingListApi(generics.ListAPIView):
    """The agents' one-click ratings of the handoffs they received (supervisors)."""

    serializer_class = HandoffRatingSerializer
    permission_classes = [IsSupervisor]
    filterset_class = filters.HandoffRatingFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.handoff_ratings()


class MetricsApi(APIView):
    """Every table of the supervisors' dashboard for a period (`start` and `end` dates,
    inclusive; the last 30 days by default): the same rows the dashboard and its CSV show."""

    permission_classes = [IsSupervisor]

    class PeriodSerializer(StrictSerializer):
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)

        def validate(self, data: dict[str, Any]) -> dict[str, Any]:
            try:
                Period.between(data.get("start"), data.get("end"))
            except ValueError as error:
                raise serializers.ValidationError({"start": [str(error)]}) from None
            return data

    @extend_schema(parameters=[PeriodSerializer], responses=MetricsSerializer)
    def get(self, request: Request) -> Response:
        query = self.PeriodSerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        period = Period.between(query.validated_data.get("start"), query.validated_data.get("end"))
        tables = [
            {
                "name": t.name,
                "title": t.title,
                "columns": [list(c) for c in t.columns],
                "rows": t.rows,
            }
            for t in all_tables(period)
        ]
        return Response(
            MetricsSerializer({"start": period.start, "end": period.end, "tables": tables}).data
        )
