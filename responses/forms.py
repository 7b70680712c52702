"""Forms for the desk's pages. They parse and validate input; the services decide and write."""
from __future__ import annotations

from django import forms
from django.utils import timezone

from responses.escalation.models import Escalation
from responses.models import Location, Platform, Practice, Review, TemplateBlock, Topic
from responses.practice.local_time import local_wall_time, location_time_zone, location_zones
from responses.selectors import AGE_FILTERS, STATUS_FILTERS, DashboardFilters, InboxFilters
from responses.workflow import CLOSE_REASONS

RATING_CHOICES = [("", "Any rating")] + [(str(n), f"{n} ★") for n in range(5, 0, -1)]
LOCAL_DATETIME = "%Y-%m-%dT%H:%M"
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _local_datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DATETIME)


def _practice_locations(practice: Practice):
    return Location.objects.filter(practice=practice).order_by("name")


class InboxFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search",
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words or reviewer name"}))
    status = forms.ChoiceField(required=False, choices=[("", "Any status")] + [(k, v[0]) for k, v in STATUS_FILTERS.items()])
    rating = forms.TypedChoiceField(required=False, choices=RATING_CHOICES, coerce=int, empty_value=None)
    platform = forms.ChoiceField(required=False, choices=[("", "Any platform")] + Platform.choices)
    location = forms.ModelChoiceField(required=False, queryset=Location.objects.none(), empty_label="Any location")
    topic = forms.ChoiceField(required=False, choices=[("", "Any topic")] + Topic.choices)
    age = forms.ChoiceField(required=False, choices=[("", "Any age")] + list(AGE_FILTERS.items()))

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _practice_locations(practice)

    def filters(self) -> InboxFilters:
        """The valid filters; an invalid value (a hand-edited URL) is ignored rather than shown as an error."""
        if not self.is_bound:
            return InboxFilters()
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        location = data.get("location")
        return InboxFilters(
            status=data.get("status") or "",
            rating=data.get("rating"),
            platform=data.get("platform") or "",
            location_id=location.pk if location else None,
            topic=data.get("topic") or "",
            age=data.get("age") or "",
            q=(data.get("q") or "").strip(),
        )



class DashboardFilterForm(forms.Form):
    location = forms.ModelChoiceField(required=False, queryset=Location.objects.none(), empty_label="All locations")
    platform = forms.ChoiceField(required=False, choices=[("", "All platforms")] + Platform.choices)

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _practice_locations(practice)

    def filters(self) -> DashboardFilters:
        """The valid filters; a hand-edited value is ignored (another practice's location never matches)."""
        if not self.is_bound:
            return DashboardFilters()
        self.is_valid()
        location = self.cleaned_data.get("location") if "location" not in self.errors else None
        platform = self.cleaned_data.get("platform") if "platform" not in self.errors else ""
        return DashboardFilters(location_id=location.pk if location else None, platform=platform or "")


class ReviewPasteForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    platform = forms.ChoiceField(choices=Platform.choices)
    author_name = forms.CharField(label="Reviewer's display name", max_length=200, required=False)
    rating = forms.TypedChoiceField(
        choices=[("", "No rating")] + [(str(n), f"{n} ★") for n in range(5, 0, -1)],
        coerce=int, empty_value=None, required=False,
    )
    posted_at = forms.DateTimeField(label="Posted on", widget=_local_datetime_input(),
                                    help_text="When the review appeared on the platform, in the location's local time.")
    text = forms.CharField(label="Review text", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="Paste it exactly as written. Leave empty for a rating-only review.")

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _practice_locations(practice)
        if not self.is_bound:
            # "Now" on the clock furthest behind among the locations: never in the future, whichever is chosen.
            now = timezone.now()
            clocks = [timezone.localtime(now, zone).replace(tzinfo=None)
                      for zone in location_zones(practice).values()] or [timezone.localtime(now)]
            self.initial.setdefault("posted_at", min(clocks).strftime(LOCAL_DATETIME))

    def clean(self):
        cleaned = super().clean()
        location, posted_at = cleaned.get("location"), cleaned.get("posted_at")
        if location and posted_at:
            # Typed as the location's wall-clock time, whatever time zone the desk shows otherwise.
            zone = location_time_zone(location)
            cleaned["posted_at"] = posted_at = local_wall_time(posted_at, zone)
            if posted_at > timezone.now() + timezone.timedelta(minutes=5):
                self.add_error("posted_at", f"That is in the future at {location.name} ({zone.key} time); "
                                            "a review cannot be posted in the future.")
        if not (cleaned.get("text") or "").strip() and not cleaned.get("rating"):
            raise forms.ValidationError("Give the review's text, its rating, or both.")
        return cleaned


class ReviewImportForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    file = forms.FileField(help_text="CSV, JSON or JSONL (a Google Business Profile export works as is).")
    default_platform = forms.ChoiceField(
        label="Platform for rows that name none",
        choices=[("", "Rows must name their platform"), *Platform.choices],
        required=False,
        help_text="A Yelp or Facebook export has no platform column: choose it here.",
    )

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _practice_locations(practice)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        return upload


class ReplyTextForm(forms.Form):
    # No max_length here: browsers send line breaks as CRLF, so the limit is checked by the workflow
    # on the normalized text, with a message that names it.
    text = forms.CharField(strip=False, required=False)
    expected_revision = forms.IntegerField(min_value=0, required=False)


class CloseReviewForm(forms.Form):
    # No default: closing without a reply is a decision, so the reason is chosen, never pre-selected.
    reason = forms.ChoiceField(choices=[("", "Choose a reason…"), *CLOSE_REASONS.items()], label="Reason")


class RejectForm(forms.Form):
    comment = forms.CharField(max_length=2000, label="What should change?", widget=forms.Textarea(attrs={"rows": 3}))
    expected_revision = forms.IntegerField(min_value=0, required=False)


class MarkPostedForm(forms.Form):
    posted_at = forms.DateTimeField(required=False, label="Posted at", widget=_local_datetime_input())
    expected_revision = forms.IntegerField(min_value=0, required=False)


class RevisionForm(forms.Form):
    expected_revision = forms.IntegerField(min_value=0, required=False)


class ApproveForm(forms.Form):
    # The revision the manager's page showed: approval is of exactly the text they read.
    expected_revision = forms.IntegerField(
        min_value=0,
        error_messages={"required": "Nothing was approved: the request did not say which version of the reply "
                                    "you read. Reload the page and approve the text you see."},
    )


MAX_NOTE_LENGTH = 5000  # a note is a few lines for colleagues, not a document store


class InternalNoteForm(forms.ModelForm):
    internal_note = forms.CharField(
        label="Internal note", required=False, max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Private to staff. Never copied into a reply.",
        error_messages={"max_length": f"The note was not saved: it is over {MAX_NOTE_LENGTH:,} characters."},
    )

    class Meta:
        model = Review
        fields = ["internal_note"]
        labels = {"internal_note": "Internal note"}
        widgets = {"internal_note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"internal_note": "Private to staff. Never copied into a reply."}


class TemplateBlockForm(forms.ModelForm):
    class Meta:
        model = TemplateBlock
        fields = ["language", "kind", "topic", "text", "active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "text": "Placeholders: {first_name}, {practice}, {location}, {phone}, {email}, {channel}, {signature}.",
            "topic": "Used for reviews about this topic; “Any topic” blocks fill in for all of them.",
            "language": "Reviews written in Spanish are answered from the Spanish blocks (their any-topic ones).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "Any topic")] + Topic.choices
        self.fields["language"].required = False  # English unless chosen

    def clean_language(self):
        return self.cleaned_data.get("language") or "en"


class ReviewSourceForm(forms.Form):
    """A new review source of one of the practice's locations (sources.services.source_create validates it)."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label="Source", choices=[
        ("google_business", "Google Business Profile (sign in with Google)"),
        ("json_feed", "JSON feed URL"),
        ("drop_folder", "Drop folder of exported files"),
    ])
    platform = forms.ChoiceField(choices=Platform.choices, help_text="Google sources are always Google.")
    resource = forms.CharField(
        label="Where", max_length=500,
        help_text="Google: accounts/ACCOUNT_ID/locations/LOCATION_ID · feed: https://… · "
                  "folder: its name inside the drop root",
    )
    token = forms.CharField(
        required=False, max_length=4000, label="Feed token (optional)",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again.",
    )

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _practice_locations(practice)


class SourceTokenForm(forms.Form):
    token = forms.CharField(
        required=False, max_length=4000, label="New feed token",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class DeescalateForm(forms.Form):
    reason = forms.ChoiceField(label="Why", choices=Escalation.ClearReason.choices)

    def __init__(self, *args, **kwargs):
        # The review page also has the close form's "reason": its own ids keep the two labels apart.
        kwargs.setdefault("auto_id", "id_deescalate_%s")
        super().__init__(*args, **kwargs)
