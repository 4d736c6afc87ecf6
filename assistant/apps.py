from django.apps import AppConfig, apps


class AssistantConfig(AppConfig):
    name = "assistant"
    verbose_name = "Assistant"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpdesk.configcache import area

        # The served training run, intents and articles: read on every turn, cached per process
        # until one changes (helpdesk.configcache). TrainingRun is also written with
        # queryset.update(): assistant.services announces those itself.
        area("assistant").watch(
            self.get_model("Intent"),
            self.get_model("TrainingRun"),
            apps.get_model("helpdesk", "KnowledgeArticle"),
        )
