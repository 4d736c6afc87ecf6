"""Supervisors make the assistant their own: intents, phrases (one by one or imported in bulk),
the knowledge base, and the state of the model."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince

from assistant.importing import ImportFormatError, format_of, phrases_import
from assistant.models import Intent, TrainingPhrase, TrainingRun
from assistant.selectors import current_run
from assistant.services import intents_set_enabled, training_run_soon
from escalation.models import CapabilityBoundary
from helpdesk.models import KnowledgeArticle

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def configuration_warnings() -> list[str]:
    """What would make the assistant misbehave: an intent nobody answers, an article for an
    intent that does not exist."""
    articles = list(KnowledgeArticle.objects.filter(active=True).values_list("title", "intents"))
    answered = {code.strip() for _, codes in articles for code in codes.split(",")}
    handed = {
        code.strip()
        for codes in CapabilityBoundary.objects.filter(enabled=True).values_list(
            "intents", flat=True
        )
        for code in codes.split(",")
    }
    warnings = []
    enabled = Intent.objects.filter(enabled=True).order_by("code")
    if Intent.objects.exists() and enabled.count() < 2:
        warnings.append(
            "Fewer than two intents are switched on: the assistant cannot learn to tell "
            "questions apart, and the model is not retrained until there are two."
        )
    for intent in enabled:
        if (
            intent.handling == Intent.Handling.ANSWER
            and intent.code not in answered
            and not intent.answer
        ):
            warnings.append(
                f"Intent “{intent.code}” has no active article and no answer: "
                "customers asking it are handed to a person."
            )
        if intent.handling == Intent.Handling.HAND_OVER and intent.code not in handed | {
            "human_request"
        }:
            warnings.append(
                f"Intent “{intent.code}” is handed over, but no enabled capability boundary "
                "names it: add it to a boundary so it reaches the right skill."
            )
    known = set(Intent.objects.values_list("code", flat=True))
    for title, codes in articles:
        for code in sorted({c.strip() for c in codes.split(",") if c.strip()} - known):
            warnings.append(f"Article “{title}” names an unknown intent “{code}”.")
    return warnings


def model_state() -> str:
    """One line on the model: serving which run, and whether a newer one is training."""
    run = current_run()
    training = TrainingRun.objects.filter(
        status__in=[TrainingRun.Status.QUEUED, TrainingRun.Status.TRAINING]
    ).first()
    parts = []
    if run is not None:
        accuracy = run.validation.get("accuracy")
        parts.append(
            f"Model ready since {timesince(run.finished_at or timezone.now())} ago, trained on "
            f"{number_format(run.phrases, force_grouping=True)} phrases and {run.intents} intents"
            + (f"; {accuracy:.1%} of held-out phrases recognised" if accuracy else "")
            + "."
        )
    else:
        parts.append("No model trained yet: the first message trains one.")
    if training is not None:
        parts.append(
            f"A new model is {training.status}; the current one answers until it is ready."
        )
    return " ".join(parts)


class _WarnsOnChangelist(admin.ModelAdmin):
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET":
            messages.info(request, model_state())
            for warning in configuration_warnings():
                messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


class _RetrainsOnChange(_WarnsOnChangelist):
    """Every change to what the model learns asks for a training run, after it commits."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        training_run_soon()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        training_run_soon()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        training_run_soon()


class TrainingPhraseInline(admin.TabularInline):
    model = TrainingPhrase
    fields = ["text", "language", "active"]
    extra = 3


@admin.action(description="Switch on the selected intents")
def enable_intents(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = intents_set_enabled(codes=list(queryset.values_list("code", flat=True)), enabled=True)
    modeladmin.message_user(request, f"{changed} intent(s) switched on; the model retrains.")


@admin.action(description="Switch off the selected intents")
def disable_intents(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    changed = intents_set_enabled(
        codes=list(queryset.values_list("code", flat=True)), enabled=False
    )
    modeladmin.message_user(request, f"{changed} intent(s) switched off; the model retrains.")


@admin.register(Intent)
class IntentAdmin(_RetrainsOnChange):
    list_display = ["code", "name", "handling", "enabled", "shipped", "own_phrases", "updated_at"]
    list_filter = ["enabled", "handling", "shipped"]
    search_fields = ["code", "name", "description"]
    actions = [enable_intents, disable_intents]
    inlines = [TrainingPhraseInline]
    change_list_template = "admin/assistant/intent/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Intent]:
        return (
            super()
            .get_queryset(request)
            .annotate(own=Count("phrases", filter=Q(phrases__active=True)))
        )

    @admin.display(description="own phrases", ordering="own")
    def own_phrases(self, intent: Any) -> int:
        return int(intent.own)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        training_run_soon()


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV with a header line, or JSON Lines; at most 10 MB.")
    dry_run = forms.BooleanField(required=False, label="Only check, import nothing")


@admin.register(TrainingPhrase)
class TrainingPhraseAdmin(_RetrainsOnChange):
    """Phrases one at a time, or a file of them ("Import phrases"); every change retrains in
    the background while the current model keeps answering."""

    list_display = ["text", "intent", "language", "active", "updated_at"]
    list_filter = ["intent", "language", "active"]
    list_select_related = ["intent"]
    search_fields = ["text", "intent__code"]
    autocomplete_fields = ["intent"]
    change_list_template = "admin/assistant/trainingphrase/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        import_view = self.admin_site.admin_view(self.import_view)
        return [
            path("import/", import_view, name="assistant_trainingphrase_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = self._import(request, form)
            if report is not None and report.ok and not form.cleaned_data["dry_run"]:
                return HttpResponseRedirect(reverse("admin:assistant_trainingphrase_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import training phrases",
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/assistant/import_phrases.html", context)

    def _import(self, request: HttpRequest, form: ImportForm) -> Any:
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ImportFormatError("The file is larger than 10 MB: split it.")
            content = upload.read().decode("utf-8-sig")
            report = phrases_import(
                content=content,
                file_format=format_of(upload.name),
                dry_run=form.cleaned_data["dry_run"],
            )
        except UnicodeDecodeError:
            form.add_error("file", "The file is not UTF-8 text.")
            return None
        except ImportFormatError as error:
            form.add_error("file", str(error))
            return None
        if report.ok:
            verb = "would be imported" if form.cleaned_data["dry_run"] else "imported"
            messages.success(
                request,
                f"{report.added} phrase(s) {verb}, {len(report.duplicates)} already known, "
                f"{len(report.intents_created)} new intent(s).",
            )
        return report


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    """Every training of the model: its state, its data and how well it recognises phrases it
    was not trained on (read-only)."""

    list_display = [
        "fingerprint",
        "status",
        "phrases",
        "intents",
        "held_out_accuracy",
        "seconds",
        "finished_at",
        "activated_at",
    ]
    list_filter = ["status"]
    change_list_template = "admin/assistant/trainingrun/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        retrain = self.admin_site.admin_view(self.retrain_view)
        return [
            path("retrain/", retrain, name="assistant_trainingrun_retrain"),
            *super().get_urls(),
        ]

    def retrain_view(self, request: HttpRequest) -> HttpResponse:
        """POST: train the current data in the background (nothing if its model is ready)."""
        if request.method == "POST" and self.has_view_permission(request):
            training_run_soon()
            messages.success(
                request, "Training started; the current model answers until the new one is ready."
            )
        return HttpResponseRedirect(reverse("admin:assistant_trainingrun_changelist"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in TrainingRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="held-out accuracy")
    def held_out_accuracy(self, run: TrainingRun) -> str:
        accuracy = run.validation.get("accuracy")
        return f"{accuracy:.1%}" if accuracy is not None else "-"

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET":
            messages.info(request, model_state())
        return super().changelist_view(request, extra_context)


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(_WarnsOnChangelist):
    list_display = ["title", "language", "intents", "tags", "active", "updated_at"]
    list_filter = ["language", "active"]
    search_fields = ["title", "body", "tags", "intents"]
