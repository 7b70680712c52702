"""Google OAuth 2.0 with Authlib: the manager's consent gives a refresh token (stored encrypted); every run
trades it for a short-lived access token. Endpoints are settings, so tests use a local fake token endpoint.

A refresh token Google no longer accepts (revoked by the account, expired after disuse, a changed password)
is reported on the source as GrantRevoked: trying again will not help, the manager reconnects.
"""
from __future__ import annotations

import logging
import secrets

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings

from responses.models import PlatformConnection
from responses.sources.tokens import TokenUndecryptable, token_decrypt, token_encrypt

logger = logging.getLogger(__name__)

SCOPE = "https://www.googleapis.com/auth/business.manage"


class GoogleGrantError(Exception):
    """The access token could not be obtained. `retryable`: trying later may help. Safe to show."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


class GrantRevoked(GoogleGrantError):
    pass


def _session(**kwargs) -> OAuth2Session:
    if not (settings.GOOGLE_OAUTH_CLIENT_ID and settings.GOOGLE_OAUTH_CLIENT_SECRET):
        raise GoogleGrantError("Google sign-in is not configured (GOOGLE_OAUTH_CLIENT_ID and _SECRET).")
    return OAuth2Session(
        settings.GOOGLE_OAUTH_CLIENT_ID, settings.GOOGLE_OAUTH_CLIENT_SECRET, scope=SCOPE,
        code_challenge_method="S256", **kwargs,
    )


def google_authorization_url(*, redirect_uri: str) -> tuple[str, str, str]:
    """Where to send the manager for consent, the state to check on the way back, and the PKCE code verifier
    to send with the code (both kept in the manager's session)."""
    session = _session(redirect_uri=redirect_uri)
    code_verifier = secrets.token_urlsafe(64)
    # offline + consent: Google returns a refresh token (again) even for an account that consented before.
    url, state = session.create_authorization_url(
        settings.GOOGLE_OAUTH_AUTHORIZE_URL, code_verifier=code_verifier, access_type="offline", prompt="consent",
        include_granted_scopes="true",
    )
    return url, state, code_verifier


def _token_call(call, *args, **kwargs) -> dict:
    try:
        return call(*args, timeout=settings.PLATFORM_HTTP_TIMEOUT, **kwargs)
    except OAuthError as exc:
        # Only the error code (e.g. invalid_grant) is kept: the description could echo anything.
        code = exc.error if isinstance(exc.error, str) and exc.error.isascii() else "error"
        if code == "invalid_grant":
            raise GrantRevoked(
                "Google no longer accepts this source's sign-in (revoked or expired); reconnect it."
            ) from None
        if code in ("invalid_client", "unauthorized_client"):
            raise GoogleGrantError(f"Google refused ReviewDesk's client credentials ({code[:40]}).") from None
        raise GoogleGrantError(f"Google's token endpoint refused the request ({code[:40]}).") from None
    except requests.Timeout:
        raise GoogleGrantError("Google's token endpoint did not answer in time.", retryable=True) from None
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        raise GoogleGrantError(
            f"Google's token endpoint answered HTTP {status}.", retryable=status == 429 or status >= 500
        ) from None
    except (requests.RequestException, ValueError) as exc:
        raise GoogleGrantError(
            f"Could not reach Google's token endpoint ({type(exc).__name__}).", retryable=True
        ) from None


def google_grant_complete(
    *, connection: PlatformConnection, code: str, redirect_uri: str, code_verifier: str
) -> None:
    """Trade the consent's authorization code for tokens and store the refresh token, encrypted."""
    session = _session(redirect_uri=redirect_uri)
    token = _token_call(session.fetch_token, settings.GOOGLE_OAUTH_TOKEN_URL, code=code, code_verifier=code_verifier)
    refresh_token = token.get("refresh_token")
    if not refresh_token:
        raise GoogleGrantError("Google gave no refresh token; remove ReviewDesk's access in the Google account "
                               "and connect again.")
    connection.secret_encrypted = token_encrypt(refresh_token)
    connection.last_error = ""
    PlatformConnection.objects.filter(pk=connection.pk).update(secret_encrypted=connection.secret_encrypted,
                                                               last_error="")


def google_access_token(*, connection: PlatformConnection) -> str:
    """A fresh access token for the source, from its stored refresh token."""
    try:
        refresh_token = token_decrypt(connection.secret_encrypted)
    except TokenUndecryptable as exc:
        raise GrantRevoked(str(exc)) from None
    if not refresh_token:
        raise GrantRevoked("This Google source is not connected yet; connect it to a Google account.")
    token = _token_call(_session().refresh_token, settings.GOOGLE_OAUTH_TOKEN_URL, refresh_token=refresh_token)
    access_token = token.get("access_token")
    if not access_token:
        raise GoogleGrantError("Google's token endpoint answered without an access token.")
    if token.get("refresh_token") and token["refresh_token"] != refresh_token:  # rotated by Google: keep the new one
        connection.secret_encrypted = token_encrypt(token["refresh_token"])
        PlatformConnection.objects.filter(pk=connection.pk).update(secret_encrypted=connection.secret_encrypted)
    return access_token
