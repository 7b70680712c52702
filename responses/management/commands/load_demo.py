from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from responses.demo import DEMO_USERS, demo_load, demo_password


class Command(BaseCommand):
    help = "Create (or refresh) the fictional demo practice, its two users and a few dozen reviews. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true", help="Load the demo even with DEBUG off (a random password)."
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to load demo users with DEBUG off; pass --allow-production to insist.")
        result = demo_load(password=demo_password())
        self.stdout.write(
            f"Demo practice “{result.practice.name}” ready ({result.reviews_created} new reviews)."
        )
        for username, *_rest, role in DEMO_USERS:
            self.stdout.write(f"  log in as {username!r} ({role.label}) with password {result.password!r}")
