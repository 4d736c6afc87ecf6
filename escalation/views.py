"""The supervisors' dashboard (/supervisor/, staff only), its CSV exports, and the Prometheus
metrics endpoint (/metrics, behind a token)."""

from __future__ import annotations

import csv
import hmac
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from escalation.metrics import TABLES, Period, Table, all_tables, right_now
from escalation.models import Category
from helpdesk.models import Conversation
from helpdesk.realtime import open_connections

CHART_WIDTH = 320  # px of the longest bar / the trend line's width
CHART_HEIGHT = 120
PERCENT_COLUMNS = {"rate", "repeated", "context_sufficient", "prepared"}


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            Period.between(data.get("start"), data.get("end"))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return data

    def period(self) -> Period:
        """The chosen period; the default one while the form shows what is wrong."""
        data = self.cleaned_data if self.is_valid() else {}
        return Period.between(data.get("start"), data.get("end"))


@require_GET
@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = form.period()
    tables = all_tables(period)
    by_name = {table.name: table for table in tables}
    bars = _bars(by_name["triggers"], "trigger", "rate")
    context = {
        "form": form,
        "period": period,
        "last_day": (period.end - timedelta(days=1)).date(),
        "tables": tables,
        "query": request.GET.urlencode(),
        "trigger_bars": bars,
        "trend_line": _line(by_name["trend"]),
        "percent_columns": PERCENT_COLUMNS,
    }
    return render(request, "supervisor/dashboard.html", context)


@require_GET
@staff_member_required
def export(request: HttpRequest, name: str) -> HttpResponse:
    """One table as CSV, for the same period the dashboard shows."""
    if name not in TABLES:
        raise Http404("No such table")
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        errors = " ".join(str(error) for error in form.errors.get("__all__", form.errors))
        return HttpResponse(f"{errors}\n", status=400, content_type="text/plain")
    period = form.period()
    table = TABLES[name](period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    first, last = period.start.date(), (period.end - timedelta(days=1)).date()
    response["Content-Disposition"] = f'attachment; filename="{name}-{first}-{last}.csv"'
    writer = csv.writer(response)
    writer.writerow([heading for _, heading in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(row.get(key)) for key, _ in table.columns])
    return response


# What a spreadsheet reads as the start of a formula (or of a DDE command), and what it skips
# before looking: "=1+1", " =1+1", ";=cmd|' /C calc'!A0", "\t@SUM(A1)".
FORMULA_STARTS = frozenset("=+-@|%")
SKIPPED_BEFORE = " \t\r\n;,"


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a customer's words never run as a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.lstrip(SKIPPED_BEFORE)[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _bars(table: Table, label_key: str, value_key: str) -> list[dict[str, Any]]:
    values = [row[value_key] or 0 for row in table.rows]
    top = max(values, default=0) or 1
    return [{"label": row[label_key], "value": row[value_key], "top": top} for row in table.rows]


def _line(table: Table) -> dict[str, Any]:
    """The daily rate as an SVG polyline (rates 0..1 scaled to the chart's height)."""
    rows = table.rows
    step = CHART_WIDTH / max(len(rows) - 1, 1)
    points = [
        (round(index * step, 1), round(CHART_HEIGHT * (1 - (row["rate"] or 0)), 1))
        for index, row in enumerate(rows)
    ]
    return {
        "points": " ".join(f"{x},{y}" for x, y in points),
        "dots": [
            {"x": x, "y": y, "day": row["day"], "rate": row["rate"]}
            for (x, y), row in zip(points, rows, strict=True)
            if row["conversations"]
        ],
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


# -- Prometheus ----------------------------------------------------------------------------------


@require_GET
def prometheus(request: HttpRequest) -> HttpResponse:
    """Text exposition for Prometheus. Off (404) unless METRICS_TOKEN is set; then the scraper
    sends it as a bearer token."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("Metrics are switched off (set METRICS_TOKEN).")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse("Bad or missing bearer token.\n", status=401, content_type="text/plain")
    return HttpResponse(_exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


def _exposition() -> str:
    lines: list[str] = []

    def metric(name: str, kind: str, text: str, samples: list[tuple[str, float]]) -> None:
        lines.extend([f"# HELP {name} {text}", f"# TYPE {name} {kind}"])
        lines.extend(f"{name}{labels} {value}" for labels, value in samples)

    figures = right_now()
    # Database-wide figures: every web process reports the same ones (aggregate them with max,
    # not sum); only the websocket connections are this process's own.
    counts, waits = figures.escalations_by_trigger, figures.queue_waits
    metric(
        "helpdesk_escalations_total",
        "counter",
        "Escalations by primary trigger, database-wide.",
        [(f'{{trigger="{code}"}}', counts.get(code, 0)) for code in Category.values],
    )
    metric(
        "helpdesk_queue_length",
        "gauge",
        "Conversations waiting for an agent, not yet offered to one (database-wide).",
        [("", figures.queue_length)],
    )
    metric(
        "helpdesk_offered_unaccepted",
        "gauge",
        "Conversations offered to an agent who has not accepted yet (database-wide).",
        [("", figures.offered_unaccepted)],
    )
    metric(
        "helpdesk_queue_wait_seconds_max",
        "gauge",
        "The longest current wait in the queue.",
        [("", round(max(waits, default=0.0), 1))],
    )
    metric(
        "helpdesk_queue_wait_seconds_mean",
        "gauge",
        "The mean current wait in the queue.",
        [("", round(sum(waits) / len(waits), 1) if waits else 0.0)],
    )
    by_status = figures.conversations_by_status
    metric(
        "helpdesk_conversations",
        "gauge",
        "Conversations by status.",
        [(f'{{status="{code}"}}', by_status.get(code, 0)) for code in Conversation.Status.values],
    )
    metric(
        "helpdesk_websocket_connections",
        "gauge",
        "Open websocket connections in this process, by kind.",
        [(f'{{kind="{kind}"}}', count) for kind, count in sorted(open_connections().items())],
    )
    return "\n".join(lines) + "\n"
