"""Create (or bring up to date) the demo store, its team and sample customers. Idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agents.models import Agent, AgentSkill
from assistant.services import intents_seed_shipped
from escalation.models import CapabilityBoundary, UrgencyCriterion
from helpdesk import demo_data
from helpdesk.flows import conversation_open, customer_message_answer
from helpdesk.models import Customer, KnowledgeArticle
from routing.models import OnCallShift, RoutingPolicy, RoutingRule, Skill, Team, TeamHours


class Command(BaseCommand):
    help = "Create the demo knowledge base, skills, agents, supervisors and customers."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        skills = self._skills()
        self._agents(skills)
        self._supervisors()
        self._customers()
        self._articles()
        intents_seed_shipped()  # the demo store's intents, unless a supervisor deleted them
        self._routing(skills)
        self._team(skills)
        self._conversations()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(demo_data.AGENTS)} agents and "
                f"{len(demo_data.SUPERVISORS)} supervisor(s), password '{demo_data.DEMO_PASSWORD}'."
            )
        )

    def _skills(self) -> dict[str, Skill]:
        skills = {}
        for code, name, description in demo_data.SKILLS:
            skills[code], _ = Skill.objects.update_or_create(
                code=code, defaults={"name": name, "description": description}
            )
        return skills

    def _user(self, username: str, full_name: str, *, staff: bool) -> Any:
        user_model = get_user_model()
        first, _, last = full_name.partition(" ")
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.helpdesk"},
        )
        if created:
            user.set_password(demo_data.DEMO_PASSWORD)
        user.is_staff = user.is_staff or staff
        user.is_superuser = user.is_superuser or staff
        user.save()
        return user

    def _agents(self, skills: dict[str, Skill]) -> None:
        for username, name, languages, seniority, capacity, levels in demo_data.AGENTS:
            user = self._user(username, name, staff=False)
            agent, _ = Agent.objects.update_or_create(
                user=user,
                defaults={
                    "display_name": name,
                    "languages": languages,
                    "seniority": seniority,
                    "max_concurrent": capacity,
                },
            )
            for code, level in levels.items():
                AgentSkill.objects.update_or_create(
                    agent=agent, skill=skills[code], defaults={"level": level}
                )

    def _supervisors(self) -> None:
        for username, name in demo_data.SUPERVISORS:
            user = self._user(username, name, staff=True)
            # Supervisors can also take conversations, with every skill at a modest level.
            Agent.objects.get_or_create(
                user=user, defaults={"display_name": name, "languages": "en", "seniority": 4}
            )

    def _customers(self) -> None:
        today = timezone.localdate()
        for name, email, tier, language, years, reference in demo_data.CUSTOMERS:
            Customer.objects.update_or_create(
                email=email,
                defaults={
                    "name": name,
                    "tier": tier,
                    "language": language,
                    "customer_since": today - timedelta(days=365 * years + 30),
                    "external_ref": reference,
                },
            )

    def _routing(self, skills: dict[str, Skill]) -> None:
        for code, intents in demo_data.TOPIC_SKILLS.items():
            for intent in intents:
                RoutingRule.objects.update_or_create(
                    name=f"{intent} needs {code}",
                    defaults={"intent": intent, "skill": skills[code], "min_level": 2},
                )
        RoutingRule.objects.update_or_create(
            name="VIP customers to senior agents",
            defaults={"tier": "vip", "min_seniority": demo_data.VIP_MIN_SENIORITY},
        )
        policy = RoutingPolicy.load()
        policy.fallback_skill = skills[demo_data.FALLBACK_SKILL]
        policy.save(update_fields=["fallback_skill"])

    def _team(self, skills: dict[str, Skill]) -> None:
        """Business hours, the on-call rotation and what counts as urgent off-hours."""
        team, _ = Team.objects.update_or_create(
            name=demo_data.TEAM["name"], defaults={**demo_data.TEAM, "is_default": True}
        )
        team.skills.set(skills.values())
        team.hours.all().delete()
        for weekday, opens, closes in demo_data.TEAM_HOURS:
            TeamHours.objects.create(
                team=team,
                weekday=weekday,
                opens=time.fromisoformat(opens),
                closes=time.fromisoformat(closes),
            )
        today = timezone.now().date()
        monday = datetime.combine(today - timedelta(days=today.weekday()), time(), tzinfo=UTC)
        for week in range(demo_data.ON_CALL_WEEKS):
            username = demo_data.ON_CALL_ROTATION[week % len(demo_data.ON_CALL_ROTATION)]
            OnCallShift.objects.update_or_create(
                team=team,
                starts_at=monday + timedelta(weeks=week),
                defaults={
                    "agent": Agent.objects.get(user__username=username),
                    "ends_at": monday + timedelta(weeks=week + 1),
                },
            )
        for name, text, boundary, urgency in demo_data.URGENCY_CRITERIA:
            UrgencyCriterion.objects.update_or_create(
                name=name,
                defaults={
                    "customer_text": text,
                    "boundary": CapabilityBoundary.objects.filter(code=boundary).first(),
                    "min_urgency": urgency,
                },
            )

    def _conversations(self) -> None:
        """Each demo customer's chat with the assistant, through the real turn handler (which
        trains or loads the model, so the first live message does not wait): only once."""
        for email, texts in demo_data.CONVERSATIONS:
            customer = Customer.objects.get(email=email)
            if customer.conversations.exists():
                continue
            conversation = conversation_open(customer=customer, language=customer.language)
            for text in texts:
                _, outcome = customer_message_answer(
                    public_id=conversation.public_id, customer_id=customer.pk, body=text
                )
                if outcome.escalation is not None:
                    break

    def _articles(self) -> None:
        for row in demo_data.article_rows():
            KnowledgeArticle.objects.update_or_create(
                title=row["title"],
                language=row["language"],
                defaults={
                    "tags": row["tags"],
                    "body": row["body"],
                    "intents": row["intents"],
                    "active": True,
                },
            )
