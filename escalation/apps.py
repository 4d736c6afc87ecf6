from django.apps import AppConfig, apps


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Escalation"

    def ready(self) -> None:
        from helpdesk.configcache import area

        # What supervisors edit in admin; read on every turn and wait update, cached per
        # process until one of these rows changes (helpdesk.configcache).
        area("escalation").watch(
            *(
                self.get_model(name)
                for name in (
                    "ExplicitRequestPolicy",
                    "SentimentPolicy",
                    "CapabilityPolicy",
                    "CapabilityBoundary",
                    "ConfidencePolicy",
                    "LoopPolicy",
                    "LoopLimit",
                    "TransitionPolicy",
                    "MeasurementPolicy",
                    "MessageTemplate",
                    "UrgencyCriterion",
                )
            ),
            apps.get_model("routing", "Skill"),  # a boundary's skill is read by its code
        )
