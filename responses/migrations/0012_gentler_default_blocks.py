"""The default blocks for complications and bad outcomes no longer sound dismissive (issue 11): practices still
holding the old default wording, unedited, get the new wording; a block a manager edited is left alone."""
from django.db import migrations

# (language, old default text, new default text): see default_blocks.json and default_blocks_es.json.
REWORDED = [
    ("en", "Thank you for your review, {first_name}. We're sorry to read that things fell short of what you expected.",
     "Thank you for your review, {first_name}. We're truly sorry to read this, and we take it seriously."),
    ("en", "{first_name}, thank you for letting us know about your experience, and we're sorry it was a disappointing one.",
     "{first_name}, thank you for letting us know about your experience, and we're sorry to hear about it."),
    ("en", "Hi {first_name}, thank you for sharing your experience. We're sorry it didn't meet your expectations.",
     "Hi {first_name}, thank you for sharing your experience. We're sorry to read this, and we take it seriously."),
    ("en", "Thank you for your candid review, {first_name}. We're sorry you're disappointed.",
     "Thank you for your candid review, {first_name}. We're truly sorry, and we want to understand what happened."),
    ("en", "{first_name}, we appreciate you taking the time to write, and we're sorry to hear you're unhappy.",
     "{first_name}, we appreciate you taking the time to write, and we're sorry to read about your experience."),
    ("en", "We hold ourselves to high standards, and hearing that someone is disappointed is something we want to understand.",
     "We hold ourselves to high standards, and a concern like yours is one we want to understand fully."),
    ("es", "Gracias por su reseña, {first_name}. Lamentamos leer que las cosas no estuvieron a la altura de lo que esperaba.",
     "Gracias por su reseña, {first_name}. Sentimos mucho leer esto y lo tomamos muy en serio."),
    ("es", "{first_name}, gracias por contarnos su experiencia; sentimos mucho que haya sido decepcionante.",
     "{first_name}, gracias por contarnos su experiencia; lamentamos mucho lo que nos cuenta."),
]


def reword_unedited_defaults(apps, schema_editor):
    TemplateBlock = apps.get_model("responses", "TemplateBlock")
    for language, old, new in REWORDED:
        TemplateBlock.objects.filter(language=language, text=old).update(text=new)


class Migration(migrations.Migration):
    dependencies = [("responses", "0011_review_sources_escalation")]

    operations = [migrations.RunPython(reword_unedited_defaults, migrations.RunPython.noop)]
