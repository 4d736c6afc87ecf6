from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        # schema: registers the chat token scheme with drf-spectacular.
        from api import schema, signals  # noqa: F401

        signals.connect()  # webhooks hear about escalations, assignments and resolutions
