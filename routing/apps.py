from django.apps import AppConfig, apps


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Routing"

    def ready(self) -> None:
        from helpdesk.configcache import area

        # The policy, rules and teams every routing decision and wait update reads: cached per
        # process until one of these rows changes (helpdesk.configcache).
        area("routing").watch(
            *(
                self.get_model(name)
                for name in ("RoutingPolicy", "RoutingRule", "Skill", "Team", "TeamHours")
            ),
            self.get_model("TeamClosure"),
            apps.get_model("routing", "Team").skills.through,
        )
