"""Spanish legal threats: the default Spanish library gains legal-threat blocks, and the escalation rules know more
Spanish legal and regulator words ("demanda", "denuncia", "junta médica", "queja formal").

Data: (1) practices whose Spanish blocks were seeded before get the Spanish legal-threat blocks (a practice with no
Spanish blocks gets the whole Spanish library on first use). (2) Open reviews without a posted reply that the wider
rules now escalate are escalated, audited "via migration", as 0013 did when the rules last grew.
"""
import json
from importlib import import_module
from pathlib import Path

from django.db import migrations

TOPIC = "legal_threat"


def seed_spanish_legal_threat(apps, schema_editor):
    TemplateBlock = apps.get_model("responses", "TemplateBlock")
    path = Path(__file__).resolve().parents[1] / "drafting" / "default_blocks_es.json"
    blocks = json.loads(path.read_text("utf-8"))[TOPIC]
    spanish = TemplateBlock.objects.filter(language="es")
    practices = set(spanish.values_list("practice_id", flat=True)) - set(
        spanish.filter(topic=TOPIC).values_list("practice_id", flat=True))
    TemplateBlock.objects.bulk_create(
        TemplateBlock(practice_id=practice_id, language="es", kind=kind, topic=TOPIC, text=text)
        for practice_id in sorted(practices)
        for kind, texts in blocks.items() for text in texts
    )


def escalate_open_reviews(apps, schema_editor):
    import_module("responses.migrations.0013_practice_languages_time_zone_escalation").escalate_open_reviews(
        apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('responses', '0015_reply_superseded_on_platform'),
    ]

    operations = [
        migrations.RunPython(seed_spanish_legal_threat, migrations.RunPython.noop),
        migrations.RunPython(escalate_open_reviews, migrations.RunPython.noop),
    ]
