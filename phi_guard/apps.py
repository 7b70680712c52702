from django.apps import AppConfig


class PhiGuardConfig(AppConfig):
    """No model loading here: the engine is built lazily on the first check."""

    name = "phi_guard"
    verbose_name = "PHI guard"
