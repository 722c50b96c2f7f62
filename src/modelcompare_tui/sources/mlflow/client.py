"""JSON over httpx for the tracking server: auth from the environment, retries
for transient failures, error bodies as one safe line."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from ...core.display import display_line
from ..base import SourceError
from .backend import parallel_map
from .rest_json import _int_or_none

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


def _one_line(text: str, limit: int = 200) -> str:
    """A server's text (an error body, a header) as one line that is safe to print:
    its escape sequences and controls are shown as symbols, never sent to a terminal."""
    return display_line(text, limit)


class RestClient:
    """JSON over httpx with retries for transient failures and one-line errors."""

    def __init__(
        self,
        base_url: str,
        display_uri: str,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.25,
        max_parallel: int = 6,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.display = display_line(display_uri, 200)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_parallel = max(1, max_parallel)
        headers = {"User-Agent": "modelcompare", "Accept": "application/json"}
        auth: httpx.Auth | None = None
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        user = os.environ.get("MLFLOW_TRACKING_USERNAME")
        password = os.environ.get("MLFLOW_TRACKING_PASSWORD")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif user and password is not None:
            auth = httpx.BasicAuth(user, password)
        verify: bool | str = True
        if base_url.startswith("http://"):
            verify = False  # no TLS at all: skips loading the CA bundle (~80 ms)
        elif os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() in ("1", "true", "yes"):
            verify = False
        elif os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH"):
            verify = os.environ["MLFLOW_TRACKING_SERVER_CERT_PATH"]
        cert = os.environ.get("MLFLOW_TRACKING_CLIENT_CERT_PATH") or None
        self._client = httpx.Client(
            base_url=base_url,
            headers=headers,
            auth=auth,
            verify=verify,
            cert=cert,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=self.max_parallel + 2, max_keepalive_connections=self.max_parallel),
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def _error_message(self, response: httpx.Response) -> str:
        """The server's reason for an error status, as one safe line."""
        try:
            data = response.json()
            if isinstance(data, dict) and data.get("message"):
                return _one_line(f"{data.get('error_code', '')}: {data['message']}".lstrip(": "))
        except ValueError:  # not JSON (also: not UTF-8)
            pass
        reason = response.reason_phrase or ""
        try:
            body = response.text.strip()
        except (UnicodeDecodeError, LookupError):
            body = ""
        if body and "<html" not in body[:500].lower():
            return _one_line(f"{reason}: {body}" if reason else body)
        return _one_line(reason)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        missing_ok: bool = False,
        raw: bool = False,
    ) -> Any:
        """The decoded JSON answer (the text with `raw`); None for a 404 when
        `missing_ok`. Transport failures, timeouts, 429 and 5xx are retried with
        exponential backoff; what still fails becomes a one-line SourceError."""
        where = f"{method} {path}"
        error: SourceError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                response = self._client.request(method, path, params=params, json=body)
            except httpx.TimeoutException:
                error = SourceError(
                    f"{self.display}: the MLflow server did not answer within {self.timeout:g} s ({where})"
                )
                continue
            except httpx.TransportError as exc:
                why = _one_line(str(exc) or type(exc).__name__)
                error = SourceError(f"{self.display}: cannot reach the MLflow server ({why})")
                continue
            status = response.status_code
            if status < 300:
                if raw:
                    return response.text
                try:
                    return response.json()
                except ValueError:
                    kind = _one_line(response.headers.get("content-type", "unknown content"), 80)
                    raise SourceError(
                        f"{self.display}: not an MLflow server answer ({kind} from {where})"
                    ) from None
            if status == 401:
                raise SourceError(
                    f"{self.display}: authentication failed (HTTP 401); set MLFLOW_TRACKING_TOKEN or "
                    "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
                )
            if status == 403:
                raise SourceError(
                    f"{self.display}: permission denied (HTTP 403) for {where}: {self._error_message(response)}"
                )
            if status == 404 and missing_ok:
                return None
            if 300 <= status < 400:
                location = response.headers.get("location", "?")
                raise SourceError(
                    f"{self.display}: redirected to {_one_line(location)} (a login page or a wrong URL?)"
                )
            if status in TRANSIENT_STATUSES:
                error = SourceError(
                    f"{self.display}: server error (HTTP {status}) on {where}: {self._error_message(response)}"
                )
                retry_after = _int_or_none(response.headers.get("retry-after"))
                if retry_after and attempt < self.retries:
                    time.sleep(min(retry_after, 5))
                continue
            raise SourceError(f"{self.display}: {where} failed (HTTP {status}): {self._error_message(response)}")
        assert error is not None
        raise error

    def get(self, path: str, params: Any = None, **kw: Any) -> Any:
        return self.request("GET", path, params=params, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Any:
        return self.request("POST", path, body=body, **kw)

    def parallel(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        return parallel_map(fn, items, self.max_parallel)
