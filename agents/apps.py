from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "Agents"

    def ready(self) -> None:
        from django.contrib import admin

        from agents import sessions
        from agents.forms import admin_site_throttle

        admin_site_throttle(admin.site)  # the admin's sign-in is throttled like the agents'
        sessions.connect()  # a sign-out, a new password or deactivation closes the user's doors
