"""The admin's TemplateBlock form: the same checks as `template_block_save` (placeholders, the PHI guard)."""
from __future__ import annotations

from django import forms

from responses.drafting.blocks import validate_template_block
from responses.models import TemplateBlock


class TemplateBlockForm(forms.ModelForm):
    class Meta:
        model = TemplateBlock
        fields = ["practice", "language", "kind", "topic", "text", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False  # English unless chosen

    def clean_language(self):
        return self.cleaned_data.get("language") or "en"

    def clean(self):
        cleaned = super().clean()
        practice, kind, text = cleaned.get("practice"), cleaned.get("kind"), cleaned.get("text")
        if practice is not None and kind and text is not None:
            try:
                validate_template_block(practice=practice, kind=kind, text=text,
                                        language=cleaned.get("language") or "en")
            except forms.ValidationError as exc:
                self.add_error("text", exc)
        return cleaned
