from django.apps import AppConfig


def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from responses.logins import login_lockout_record

    login_lockout_record(username=username or "")


def _audit_login(sender, request=None, user=None, **kwargs):
    from responses.logins import login_success_record

    login_success_record(user=user, request=request)


def _audit_login_failed(sender, credentials=None, request=None, **kwargs):
    from responses.logins import login_failure_record

    login_failure_record(username=str((credentials or {}).get("username") or ""), request=request)


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = "Reviews and replies"

    def ready(self):
        # django-axes announces a lockout only through its signal; the audit event is recorded by a service.
        from axes.signals import user_locked_out

        user_locked_out.connect(_audit_lockout, dispatch_uid="responses.audit_lockout")
        # Log-ins and failed log-ins are audit events too (the user's id only, never what was typed).
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        user_logged_in.connect(_audit_login, dispatch_uid="responses.audit_login")
        user_login_failed.connect(_audit_login_failed, dispatch_uid="responses.audit_login_failed")
        # Permissions are created after migrating; the role groups then get the ones their role gained.
        from django.db.models.signals import post_migrate

        from responses.roles import role_groups_sync_after_migrate

        post_migrate.connect(role_groups_sync_after_migrate, sender=self, dispatch_uid="responses.role_groups")
