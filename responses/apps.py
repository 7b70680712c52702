from django.apps import AppConfig


def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from responses.logins import login_lockout_record

    login_lockout_record(username=username or "")


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = "Reviews and replies"

    def ready(self):
        # django-axes announces a lockout only through its signal; the audit event is recorded by a service.
        from axes.signals import user_locked_out

        user_locked_out.connect(_audit_lockout, dispatch_uid="responses.audit_lockout")
