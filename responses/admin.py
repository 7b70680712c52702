"""Admin: configuration is editable; reply states only move through the workflow services.

Nothing here can put a blocked text into approved or posted: replies and their
versions are read-only, and there is no bulk approval (a manager approves in the
approval queue, the exact text they read).
"""
from axes.models import AccessAttempt
from django.contrib import admin, messages

from responses.drafting.blocks import template_block_save
from responses.drafting.forms import TemplateBlockForm
from responses.logins import login_unlock
from responses.models import (
    AuditEvent,
    GuardTerm,
    ImportRun,
    Location,
    Membership,
    PlatformConnection,
    Practice,
    Reply,
    ReplyVersion,
    Review,
    StaffMember,
    TemplateBlock,
)
from responses.roles import membership_grant


class StaffInline(admin.TabularInline):
    model = StaffMember
    extra = 0


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "website"]
    inlines = [StaffInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "practice", "phone", "email"]


@admin.register(PlatformConnection)
class PlatformConnectionAdmin(admin.ModelAdmin):
    list_display = ["location", "platform", "kind", "import_enabled", "publish_enabled", "last_import_at"]
    exclude = []


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "practice", "role"]

    def save_model(self, request, obj, form, change):
        # The role is also the user's group (its permissions): grant both together.
        membership_grant(user=obj.user, practice=obj.practice, role=obj.role)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["id", "location", "platform", "rating", "posted_at", "closed_at"]
    list_filter = ["platform", "rating", "location"]
    readonly_fields = ["text_sha256", "imported_at", "updated_at", "closed_at", "closed_by", "closed_reason"]


class ReplyVersionInline(admin.TabularInline):
    model = ReplyVersion
    extra = 0
    can_delete = False
    fields = ["number", "source", "author", "created_at", "blocked", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["id", "review", "state", "approved_by", "posted_at"]
    list_filter = ["state"]
    inlines = [ReplyVersionInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Reply._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(TemplateBlock)
class TemplateBlockAdmin(admin.ModelAdmin):
    list_display = ["id", "practice", "kind", "topic", "active", "updated_at"]
    list_filter = ["kind", "topic", "active"]
    form = TemplateBlockForm  # placeholders and the PHI guard, as in template_block_save

    def save_model(self, request, obj, form, change):
        # Through the service: the same permission, guard check and audit event as in the app.
        template_block_save(practice=obj.practice, actor=request.user, kind=obj.kind, topic=obj.topic,
                            text=obj.text, active=obj.active, block=obj)


@admin.register(GuardTerm)
class GuardTermAdmin(admin.ModelAdmin):
    list_display = ["term", "entity_type", "practice"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "review", "from_state", "to_state", "verdict_blocked"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["id", "location", "source_name", "status", "created_count", "updated_count", "started_at"]


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    """Failed log-ins (django-axes): read-only; unlocking goes through the audited service."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username"]
    fields = list_display
    actions = ["unlock_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a deletion would unlock without an audit event

    @admin.action(description="Unlock the selected usernames (audited)")
    def unlock_selected(self, request, queryset):
        for username in sorted(set(queryset.values_list("username", flat=True))):
            cleared = login_unlock(username=username, actor=request.user, via="admin")
            self.message_user(request, f"{username}: {cleared} failed log-in records cleared.", messages.SUCCESS)
