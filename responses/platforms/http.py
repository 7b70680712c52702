"""A small JSON-over-HTTP client for platform APIs, on the standard library.

Errors become PlatformHTTPError with a message a manager can act on. Messages never
contain the request body (a reply), the response body, or the URL (a feed URL may
carry a token).
"""
from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

MAX_RESPONSE_BYTES = 50 * 1024 * 1024
_STATUS_WORD = re.compile(r"^[A-Z_]{3,40}$")


class PlatformHTTPError(Exception):
    """The platform could not be reached or refused the request. `retryable`: trying later may help."""

    safe_to_show = True  # messages name the service and an HTTP status, never a body, a URL or review text

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


def _error_word(error: urllib.error.HTTPError) -> str:
    """Google-style {"error": {"status": "PERMISSION_DENIED"}}: the enum word only, never the message."""
    try:
        word = json.loads(error.read(64 * 1024) or b"{}").get("error", {}).get("status", "")
    except (ValueError, AttributeError, OSError):
        return ""
    return f" {word}" if isinstance(word, str) and _STATUS_WORD.match(word) else ""


def _status_error(service: str, what: str, code: int, word: str) -> PlatformHTTPError:
    http_code = f"HTTP {code}{word}"
    if code == 401:
        message = f"{service} refused the access token ({http_code}); reconnect the account."
    elif code == 403:
        message = f"{service} denied access ({http_code}); check the connected account's access to this {what}."
    elif code == 404:
        message = f"{service} has no such {what} ({http_code}); check the connection's settings."
    elif code == 429:
        message = f"{service} is limiting requests ({http_code}); ReviewDesk will try again later."
    elif code >= 500:
        message = f"{service} had a server error ({http_code}); try again later."
    elif code == 400:
        message = f"{service} rejected the request as invalid ({http_code})."
    else:
        message = f"{service} answered {http_code}."
    return PlatformHTTPError(message, status=code, retryable=code == 429 or code >= 500)


def http_request(
    method: str,
    url: str,
    *,
    service: str,
    what: str,
    token: str = "",
    body: dict | None = None,
) -> bytes:
    """Send one request and return the response body; raise PlatformHTTPError on any failure.

    `service` names the platform and `what` the object at the URL, for messages such as
    "Google Business Profile has no such review (HTTP 404)".
    """
    if urlsplit(url).scheme not in ("http", "https"):
        # urllib would also open file:// and ftp:// URLs; a connection must never read local files.
        raise PlatformHTTPError(f"The address of {service} must start with https:// (or http://).")
    headers = {"Accept": "application/json", "User-Agent": "ReviewDesk"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    timeout = settings.PLATFORM_HTTP_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _status_error(service, what, exc.code, _error_word(exc)) from None
    except TimeoutError:
        raise PlatformHTTPError(f"{service} did not answer within {timeout} seconds.", retryable=True) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise PlatformHTTPError(f"{service} did not answer within {timeout} seconds.", retryable=True) from None
        raise PlatformHTTPError(f"Could not reach {service} ({exc.reason}).", retryable=True) from None
    except (http.client.HTTPException, OSError) as exc:
        raise PlatformHTTPError(
            f"The connection to {service} broke ({type(exc).__name__}).", retryable=True
        ) from None
    if len(payload) > MAX_RESPONSE_BYTES:
        raise PlatformHTTPError(f"{service} sent more than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB.")
    return payload


def json_request(method: str, url: str, *, service: str, what: str, token: str = "", body: dict | None = None):
    """http_request, with the answer parsed as JSON (an empty answer is {})."""
    payload = http_request(method, url, service=service, what=what, token=token, body=body)
    if not payload.strip():
        return {}
    try:
        return json.loads(payload)
    except ValueError:
        raise PlatformHTTPError(f"{service} answered with something that is not JSON.") from None
