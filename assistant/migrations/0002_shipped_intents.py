"""The shipped intents as rows (all on), and the phrases supervisors added before the assistant
had its own app, moved from helpdesk.TrainingPhrase."""

from django.db import migrations

OFF_TOPIC = "out_of_scope"


def forwards(apps, schema_editor):
    from assistant.catalogue import shipped_intents

    Intent = apps.get_model("assistant", "Intent")
    Phrase = apps.get_model("assistant", "TrainingPhrase")
    OldPhrase = apps.get_model("helpdesk", "TrainingPhrase")
    for code, shipped in shipped_intents().items():
        Intent.objects.get_or_create(
            code=code,
            defaults={"name": shipped.name, "handling": shipped.handling, "shipped": True},
        )
    Intent.objects.get_or_create(
        code=OFF_TOPIC, defaults={"name": "Off-topic", "handling": "off_topic", "shipped": True}
    )
    for old in OldPhrase.objects.all():
        intent, _ = Intent.objects.get_or_create(
            code=old.intent[:50], defaults={"name": old.intent.replace("_", " ").capitalize()}
        )
        Phrase.objects.get_or_create(
            intent=intent,
            text=old.text,
            defaults={"language": old.language, "active": old.active},
        )


def backwards(apps, schema_editor):
    OldPhrase = apps.get_model("helpdesk", "TrainingPhrase")
    Phrase = apps.get_model("assistant", "TrainingPhrase")
    for phrase in Phrase.objects.select_related("intent"):
        OldPhrase.objects.get_or_create(
            intent=phrase.intent.code,
            text=phrase.text,
            defaults={"language": phrase.language, "active": phrase.active},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assistant", "0001_initial"),
        ("helpdesk", "0009_measurement"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
