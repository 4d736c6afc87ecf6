from django.db import migrations


def copy_latest_escalation(apps, schema_editor):
    """Conversations escalated before these fields existed get them from their latest escalation,
    so the inbox sorts and labels them like new ones."""
    conversation_model = apps.get_model("helpdesk", "Conversation")
    escalation_model = apps.get_model("escalation", "Escalation")
    pending = conversation_model.objects.filter(escalated_at__isnull=True, escalations__isnull=False)
    for conversation in pending.distinct().iterator():
        latest = (
            escalation_model.objects.filter(conversation=conversation)
            .order_by("-created_at", "-pk")
            .first()
        )
        conversation_model.objects.filter(pk=conversation.pk).update(
            escalated_at=latest.created_at, urgency=latest.urgency, trigger=latest.category
        )


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0003_conversation_escalation_summary"),
        ("escalation", "0005_handoff_package"),
    ]

    operations = [migrations.RunPython(copy_latest_escalation, migrations.RunPython.noop)]
