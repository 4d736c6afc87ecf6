from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self) -> None:
        from helpdesk import (
            checks,  # noqa: F401  (registers the system checks)
            configcache,
            dbpool,
        )

        # A migrate or a flush (a test's teardown) rewrites settings rows without row signals.
        post_migrate.connect(
            configcache.changed_everywhere, sender=self, dispatch_uid="configcache.migrate"
        )
        dbpool.install()
