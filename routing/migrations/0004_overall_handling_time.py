from django.db import migrations


def create_overall_row(apps, schema_editor):
    """The all-conversations average exists from the start, so two first resolves at once never
    both create it (a nullable one-to-one does not stop two NULL rows)."""
    handling_time = apps.get_model("routing", "HandlingTime")
    if not handling_time.objects.filter(skill__isnull=True).exists():
        handling_time.objects.create(skill=None)


def queue_waiting_conversations(apps, schema_editor):
    """Conversations already waiting when routing arrived join the queue at their escalation."""
    conversation = apps.get_model("helpdesk", "Conversation")
    for row in conversation.objects.filter(status="waiting", queue_key__isnull=True).iterator():
        row.queue_key = row.escalated_at or row.opened_at
        row.save(update_fields=["queue_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0003_handling_time"),
        ("helpdesk", "0007_conversation_load_index"),
    ]

    operations = [
        migrations.RunPython(create_overall_row, migrations.RunPython.noop),
        migrations.RunPython(queue_waiting_conversations, migrations.RunPython.noop),
    ]
