"""Forms of the practice's administration pages: they parse input; the services decide and write."""
from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings

from responses.escalation.rules import BUILT_IN_SUMMARY
from responses.models import DraftLanguage, Location, Practice, Role, StaffMember
from responses.practice.models import PracticeSettings, PublicContact


class PracticeProfileForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["name", "signature", "phone", "email", "website", "address"]
        help_texts = {
            "name": "The guard allows it in replies; drafts use it for {practice}.",
            "signature": "How drafts are signed ({signature}), e.g. “— The Willow & Pine team”.",
        }


def _time_zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())
            if "/" in name and not name.startswith(("Etc/", "SystemV/"))]


def _practice_time_zone_choices() -> list[tuple[str, str]]:
    return [("", f"The desk's time zone ({settings.TIME_ZONE})"), *_time_zones()]


def _location_time_zone_choices() -> list[tuple[str, str]]:
    return [("", "The practice's time zone"), *_time_zones()]


class PracticeSettingsForm(forms.ModelForm):
    response_target_days = forms.IntegerField(
        min_value=1, max_value=30, label="Response target (days)",
        help_text="Calendar days in the location's time zone: a review posted on Monday with a 2-day target is "
                  "overdue from Thursday, midnight.")
    draft_languages = forms.MultipleChoiceField(
        choices=DraftLanguage.choices, widget=forms.CheckboxSelectMultiple, label="Draft replies in",
        help_text="A review written in one of these gets its draft in that language.")
    default_language = forms.ChoiceField(
        choices=DraftLanguage.choices, label="Default language",
        help_text="For reviews in any other language; it must be one of the languages above.")
    time_zone = forms.ChoiceField(
        required=False, choices=_practice_time_zone_choices, label="Practice time zone",
        help_text="For the dashboard and the times the desk shows; a location's own time zone wins for its reviews.")
    escalation_keywords = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Your own escalation keywords",
        help_text=f"One word or phrase a line, escalated like the built-in list: {BUILT_IN_SUMMARY} An escalated "
                  "review gets no draft until a manager de-escalates it.")

    class Meta:
        model = PracticeSettings
        fields = ["response_target_days", "draft_languages", "default_language", "time_zone", "escalation_keywords"]


class LocationForm(forms.ModelForm):
    time_zone = forms.ChoiceField(required=False, choices=_location_time_zone_choices)

    class Meta:
        model = Location
        fields = ["name", "phone", "email", "address", "time_zone"]
        help_texts = {"phone": "With the e-mail, the private channel replies from this location offer."}


class PublicContactForm(forms.ModelForm):
    class Meta:
        model = PublicContact
        fields = ["label", "phone", "email"]
        help_texts = {"phone": "A phone number, an e-mail address or both."}  # the model's constraint says so


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "role"]
        help_texts = {"role": "e.g. Office Manager; replies may mention the name and role."}


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.FRONT_DESK)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False)
    password_again = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False,
                                     label="Password (again)")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") != cleaned.get("password_again"):
            raise forms.ValidationError("The two passwords differ.")
        return cleaned


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="Current password", strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label="New password", strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password_again = forms.CharField(label="New password (again)", strip=False,
                                         widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password") != cleaned.get("new_password_again"):
            raise forms.ValidationError("The two new passwords differ.")
        return cleaned
