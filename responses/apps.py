from django.apps import AppConfig


def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from responses.logins import login_lockout_record

    login_lockout_record(username=username or "")


def _role_groups_refresh(sender, **kwargs):
    # A migration that adds a permission to a role (manage_sources, ...) reaches existing managers at once.
    from responses.roles import role_groups_ensure

    role_groups_ensure()


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = "Reviews and replies"

    def ready(self):
        # django-axes announces a lockout only through its signal; the audit event is recorded by a service.
        from axes.signals import user_locked_out

        user_locked_out.connect(_audit_lockout, dispatch_uid="responses.audit_lockout")
        from django.db.models.signals import post_migrate

        post_migrate.connect(_role_groups_refresh, sender=self, dispatch_uid="responses.role_groups_refresh")
