"""Typed errors raised by the Freshdesk hook.

Every error derives from :class:`FreshdeskError` (an ``AirflowException``), so a task fails
with a readable message rather than a ``requests`` or JSON traceback, and callers can catch
the specific case they know how to handle (a deleted ticket, an archived one, ...).

Messages name the Freshdesk domain and the endpoint, never the API key. Constructors take the
message as their only positional argument so that Airflow can serialise and rebuild them.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException


class FreshdeskError(AirflowException):
    """Base class of everything the Freshdesk provider raises on purpose."""

    def __init__(self, message: str, *, http_status: int | None = None, path: str | None = None) -> None:
        super().__init__(message)
        # Named `http_status`, not `status_code`: AirflowException uses `status_code` for the
        # status Airflow's own API answers with.
        self.http_status = http_status
        self.path = path


class FreshdeskConfigError(FreshdeskError, AirflowFailException):
    """The Airflow connection cannot work as configured (missing domain or key, plain http, ...).

    An ``AirflowFailException`` too: the task fails at once instead of retrying (up to about
    15 minutes with the default backoff) with a connection that cannot work until a person
    fixes it. Clearing the task after the fix runs it again."""


class FreshdeskConnectionError(FreshdeskError):
    """Freshdesk could not be reached (unknown domain, DNS, refused connection) after retries."""


class FreshdeskAuthError(FreshdeskError, AirflowFailException):
    """HTTP 401: Freshdesk rejected the API key. Fails the task without retries, as
    :class:`FreshdeskConfigError` does: the same key is rejected again until someone changes it."""


class FreshdeskAccessDenied(FreshdeskError):
    """HTTP 403: the key's agent may not read this object."""


class FreshdeskTicketDeleted(FreshdeskAccessDenied):
    """HTTP 403 on a ticket's conversations: Freshdesk's answer for a deleted ticket."""

    def __init__(
        self,
        message: str,
        *,
        ticket_id: int | None = None,
        http_status: int | None = 403,
        path: str | None = None,
    ) -> None:
        super().__init__(message, http_status=http_status, path=path)
        self.ticket_id = ticket_id


class FreshdeskNotFound(FreshdeskError):
    """HTTP 404: unknown object, or an archived ticket asked for on the normal endpoint."""


class FreshdeskValidationError(FreshdeskError):
    """HTTP 400: Freshdesk refused the request's parameters; ``errors`` is Freshdesk's list."""

    def __init__(
        self,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        http_status: int | None = 400,
        path: str | None = None,
    ) -> None:
        super().__init__(message, http_status=http_status, path=path)
        self.errors: list[dict[str, Any]] = list(errors or [])

    @property
    def fields(self) -> set[str]:
        """Names of the fields Freshdesk complained about."""
        return {str(e.get("field")) for e in self.errors if isinstance(e, dict) and e.get("field")}


class FreshdeskRateLimitError(FreshdeskError):
    """Freshdesk kept answering 429 for longer than the hook is allowed to wait."""


class FreshdeskServerError(FreshdeskError):
    """5xx or timeouts that persisted through every retry."""


class FreshdeskMalformedResponse(FreshdeskError):
    """A successful answer whose body is not JSON, or not the shape the endpoint documents."""


class FreshdeskPaginationError(FreshdeskError):
    """The 300-page cap cannot be worked around (more than a whole cap share one ``updated_at``)."""
