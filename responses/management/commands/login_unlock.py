"""python manage.py login_unlock USERNAME: lift a lockout after failed log-ins, with an audit event."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from responses.logins import login_unlock


class Command(BaseCommand):
    help = (
        "Unlock a username locked out after repeated failed log-ins (from every address). "
        "Recorded as an audit event by the operator. Exits 1 when the username is not locked out."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the login name, exactly as typed on the login page")

    def handle(self, *args, username: str, **options):
        cleared = login_unlock(username=username, via="command")
        if not cleared:
            raise CommandError(f"{username} is not locked out (no failed log-ins on record).")
        self.stdout.write(f"Unlocked {username} ({cleared} failed log-in record{'s' if cleared != 1 else ''} cleared).")
