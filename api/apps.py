from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        # schema: registers the chat token scheme with drf-spectacular.
        from api import schema, signals  # noqa: F401
        from helpdesk.configcache import area

        signals.connect()  # webhooks hear about escalations, assignments and resolutions
        # Active endpoints are read on every event: cached until one changes.
        area("webhooks").watch(self.get_model("WebhookEndpoint"))
