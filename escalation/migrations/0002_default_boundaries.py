from django.db import migrations

# Names for the skills the default boundaries route to, on a database without the demo data.
SKILL_NAMES = {
    "accounts": "Accounts and security",
    "legal": "Legal and compliance",
    "billing": "Billing and payments",
    "technical": "Website and checkout",
}


def install_default_boundaries(apps, schema_editor):
    from escalation.defaults import BOUNDARIES

    Skill = apps.get_model("routing", "Skill")
    CapabilityBoundary = apps.get_model("escalation", "CapabilityBoundary")
    for default in BOUNDARIES:
        skill, _ = Skill.objects.get_or_create(
            code=default.skill, defaults={"name": SKILL_NAMES.get(default.skill, default.skill)}
        )
        CapabilityBoundary.objects.get_or_create(
            code=default.code,
            defaults={
                "name": default.name,
                "intents": ", ".join(default.intents),
                "phrases": "\n".join(f"/{phrase}/" for phrase in default.phrases),
                "skill": skill,
                "urgency": default.urgency,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0001_initial"),
        ("escalation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install_default_boundaries, migrations.RunPython.noop),
    ]
