from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from agents.models import Agent, AgentSkill
from escalation.models import UrgencyCriterion
from helpdesk import demo_data
from helpdesk.models import Customer, KnowledgeArticle
from routing.models import OnCallShift, Skill, Team, TeamHours
from routing.teams import on_call_agent


def test_seed_demo_is_idempotent_and_its_logins_work(db: None) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        Agent.objects.count(),
        AgentSkill.objects.count(),
        Skill.objects.count(),
        Customer.objects.count(),
        KnowledgeArticle.objects.count(),
        TeamHours.objects.count(),
        OnCallShift.objects.count(),
        UrgencyCriterion.objects.count(),
    )
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        Agent.objects.count(),
        AgentSkill.objects.count(),
        Skill.objects.count(),
        Customer.objects.count(),
        KnowledgeArticle.objects.count(),
        TeamHours.objects.count(),
        OnCallShift.objects.count(),
        UrgencyCriterion.objects.count(),
    )
    assert counts[0] == len(demo_data.AGENTS) + len(demo_data.SUPERVISORS)
    assert counts[4] == 4 * len(demo_data.ARTICLES)  # English, Spanish, French and German
    assert KnowledgeArticle.objects.filter(language="es", intents="order_status").exists()
    dana = authenticate(username="dana", password=demo_data.DEMO_PASSWORD)
    assert dana is not None
    assert dana.agent.display_name == "Dana Whitfield"
    supervisor = authenticate(username="supervisor", password=demo_data.DEMO_PASSWORD)
    assert supervisor is not None
    assert supervisor.is_staff
    assert supervisor.is_superuser
    assert set(Agent.objects.get(user=dana).skills.values_list("code", flat=True)) == {
        "billing",
        "accounts",
        "general",
    }

    # Business hours, and someone on call right now for urgent issues outside them.
    team = Team.objects.get(is_default=True)
    assert counts[5:] == (len(demo_data.TEAM_HOURS), demo_data.ON_CALL_WEEKS, 2)
    assert on_call_agent(team, timezone.now()) is not None
