"""Re-encrypt every stored platform token with the first key of TOKEN_ENCRYPTION_KEYS."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from responses.models import PlatformConnection
from responses.sources.tokens import TokenUndecryptable, token_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt stored platform tokens with the first TOKEN_ENCRYPTION_KEYS key (then drop the old key)."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for source in PlatformConnection.objects.select_for_update().exclude(secret_encrypted=""):
                try:
                    source.secret_encrypted = token_reencrypt(source.secret_encrypted)
                except TokenUndecryptable:
                    raise CommandError(f"source {source.pk}: its token cannot be decrypted with any key; "
                                       "nothing was changed") from None
                source.save(update_fields=["secret_encrypted"])
                count += 1
        self.stdout.write(f"{count} token(s) re-encrypted with the first key.")
