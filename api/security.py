"""Bearer-token authorisation: writes need a write token; reads are open unless read tokens are set.

Tokens come from :class:`kg.settings.Settings` (``STSKG_WRITE_TOKENS``, ``STSKG_READ_TOKENS``).
Outside ``environment="development"`` the app refuses to start without strong write tokens.
"""

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import HttpProblem
from kg.errors import UserError
from kg.settings import Settings

#: Shorter tokens, or well-known placeholders, are refused outside development.
MIN_TOKEN_LENGTH = 24
PLACEHOLDERS = {"changeme", "changethis", "secret", "token", "dev", "development", "test"}

_bearer = HTTPBearer(auto_error=False, description="a token from STSKG_WRITE_TOKENS (or STSKG_READ_TOKENS)")


class InsecureConfiguration(UserError):
    """The settings would expose the API without real authorisation."""

    code = "insecure-configuration"


def check_settings(settings: Settings) -> None:
    """Refuse insecure settings outside development; raises :class:`InsecureConfiguration`."""
    if settings.environment == "development":
        return
    if not settings.write_tokens:
        raise InsecureConfiguration(
            f"environment is {settings.environment!r} but no write token is set: set STSKG_WRITE_TOKENS "
            '(a JSON list, e.g. ["<a long random string>"]) or STSKG_ENVIRONMENT=development'
        )
    for token in [*settings.write_tokens, *settings.read_tokens]:
        if len(token) < MIN_TOKEN_LENGTH or token.lower() in PLACEHOLDERS:
            raise InsecureConfiguration(
                f"a configured token is a placeholder or shorter than {MIN_TOKEN_LENGTH} characters; "
                "use long random tokens (e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)"
            )


def _matches(token: str, allowed: list[str]) -> bool:
    # Compare against every token, in constant time each, so timing reveals nothing.
    found = False
    for candidate in allowed:
        found |= hmac.compare_digest(token.encode(), candidate.encode())
    return found


def _settings(request: Request) -> Settings:
    return request.app.state.settings


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _require(credentials: HTTPAuthorizationCredentials | None, allowed: list[str], what: str) -> None:
    if credentials is None:
        raise HttpProblem(
            401,
            "unauthorized",
            f"{what} needs a bearer token (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not _matches(credentials.credentials, allowed):
        raise HttpProblem(403, "forbidden", f"the bearer token given does not allow {what}")


def check_write(request: Request, credentials: HTTPAuthorizationCredentials | None) -> None:
    """The request carries a write token; raises :class:`HttpProblem` 401/403."""
    _require(credentials, _settings(request).write_tokens, "writing")


def check_read(request: Request, credentials: HTTPAuthorizationCredentials | None) -> None:
    """Reads are open, or the request carries a read or write token; raises 401/403."""
    settings = _settings(request)
    if settings.read_tokens:
        _require(credentials, [*settings.read_tokens, *settings.write_tokens], "reading")


# The dependencies are coroutines so that FastAPI runs them on the event loop: a plain ``def``
# would cost every request a hop through the thread pool (measured: ~1/4 of a small query's time).
async def require_write(request: Request, credentials: Credentials) -> None:
    """Dependency: the request carries a write token."""
    check_write(request, credentials)


async def require_read(request: Request, credentials: Credentials) -> None:
    """Dependency: reads are open, or the request carries a read or write token."""
    check_read(request, credentials)
