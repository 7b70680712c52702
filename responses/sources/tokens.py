"""Platform tokens (OAuth refresh tokens, feed bearer tokens) encrypted at rest with MultiFernet.

The keys come from settings.TOKEN_ENCRYPTION_KEYS (the environment): the first encrypts, every one
decrypts, so a key is rotated by putting a new one first and running `manage.py source_tokens_rotate`.
A token is never shown back: the app only says whether one is stored.
"""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class TokenUndecryptable(Exception):
    """A stored token cannot be read with the configured keys (a key was removed too early)."""


def _fernet() -> MultiFernet:
    keys = list(settings.TOKEN_ENCRYPTION_KEYS)
    if not keys:
        # A laptop default; production sets its own keys so a new SECRET_KEY does not orphan the tokens.
        digest = hashlib.sha256(f"reviewdesk-token-key:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS must be Fernet keys (python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'), comma-separated."
        ) from None


def token_encrypt(plain: str) -> str:
    """The token encrypted with the first key ('' stays '': nothing stored)."""
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii") if plain else ""


def token_decrypt(stored: str) -> str:
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise TokenUndecryptable(
            "The stored token cannot be decrypted with TOKEN_ENCRYPTION_KEYS; reconnect the source."
        ) from None


def token_reencrypt(stored: str) -> str:
    """The token encrypted with the current first key (MultiFernet.rotate)."""
    if not stored:
        return ""
    try:
        return _fernet().rotate(stored.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        raise TokenUndecryptable("A stored token cannot be decrypted with TOKEN_ENCRYPTION_KEYS.") from None
