from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from responses.compliance.models import FakeReviewReport, FollowUpAttempt, Incident, PrivateFollowUp

_DATE = forms.DateInput(attrs={"type": "date"})


class ExportForm(forms.Form):
    date_from = forms.DateField(widget=_DATE, label="From")
    date_to = forms.DateField(widget=_DATE, label="To")
    fmt = forms.ChoiceField(choices=[("csv", "CSV (spreadsheet)"), ("html", "Printable report")], label="Format")
    include_text = forms.BooleanField(
        required=False, label="Include the review and reply text (patient text: only if you need it)"
    )

    @classmethod
    def initial_range(cls) -> dict:
        today = timezone.localdate()
        return {"date_from": today - timedelta(days=30), "date_to": today, "fmt": "csv"}


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["discovered_on", "nature_and_extent", "unauthorized_recipient", "actually_viewed", "mitigation"]
        widgets = {
            "discovered_on": _DATE,
            "nature_and_extent": forms.Textarea(attrs={"rows": 3}),
            "unauthorized_recipient": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "nature_and_extent": "1. Nature and extent of the information",
            "unauthorized_recipient": "2. Who saw it (or could have)",
            "actually_viewed": "3. Was it actually viewed?",
            "mitigation": "4. Mitigation",
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[c for c in Incident.Decision.choices if c[0]])


class FollowUpStartForm(forms.Form):
    channel = forms.ChoiceField(choices=PrivateFollowUp.Channel.choices)
    next_due_on = forms.DateField(widget=_DATE, required=False, label="First attempt due")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Internal notes")


class FollowUpAttemptForm(forms.Form):
    channel = forms.ChoiceField(choices=PrivateFollowUp.Channel.choices)
    outcome = forms.ChoiceField(choices=FollowUpAttempt.Outcome.choices)
    next_due_on = forms.DateField(widget=_DATE, required=False, label="Next attempt due (empty: no more attempts)")


class FakeMarkForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why (internal, never posted)")


class FakeStatusForm(forms.Form):
    status = forms.ChoiceField(choices=FakeReviewReport.Status.choices)
