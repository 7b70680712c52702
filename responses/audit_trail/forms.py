from __future__ import annotations

from django import forms

_DATE = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False, label="Action")
    date_from = forms.DateField(required=False, widget=_DATE, label="From")
    date_to = forms.DateField(required=False, widget=_DATE, label="To")

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All actions")] + [(a, a.replace("_", " ")) for a in actions]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError("The end date is before the start date.")
        return data
