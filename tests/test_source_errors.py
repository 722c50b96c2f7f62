"""Sources' error text is safe to print: a server's error body is one line without
escape sequences, and a refused URI never repeats its secret."""

from __future__ import annotations

import httpx
import pytest

from modelcompare_tui.core.display import is_display_safe
from modelcompare_tui.sources import SourceError, open_source
from modelcompare_tui.sources.base import shown_uri
from modelcompare_tui.sources.mlflow.client import RestClient

HOSTILE = "boom\x1b]52;c;SElKQUNL\x07\x1b[2J\r\nsecond line\x9b31m\u202eevil"


def client_answering(response: httpx.Response) -> RestClient:
    return RestClient(
        "http://mlflow.test", "mlflow+http://mlflow.test", retries=0,
        transport=httpx.MockTransport(lambda request: response),
    )


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(400, json={"error_code": "BAD\x1b[31m", "message": HOSTILE}),
        httpx.Response(500, text=HOSTILE + "\n" * 50 + "x" * 5000),
        httpx.Response(403, json={"message": HOSTILE}),
        httpx.Response(302, headers={"location": "http://evil/\x1b]2;title\x07\nnext"}),
        httpx.Response(200, text="not json", headers={"content-type": "text/html\x1b[2J"}),
    ],
)
def test_error_bodies_are_one_safe_line(response: httpx.Response) -> None:
    client = client_answering(response)
    with pytest.raises(SourceError) as info:
        client.get("/api/2.0/mlflow/experiments/search")
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert is_display_safe(message), repr(message)
    assert "\x1b" not in message and "\x07" not in message and "\x9b" not in message
    assert len(message) < 600
    if response.status_code in (400, 500, 403):
        assert "boom" in message and "second line" in message  # still recognisable
    client.close()


@pytest.mark.parametrize(
    "uri, secret",
    [
        ("mlflow+http://mlflow.test/?token=S3CRET", "S3CRET"),
        ("mlflow+https://mlflow.test/prefix?api_key=S3CRET#frag", "S3CRET"),
        ("mlflow+http://ana:S3CRET@mlflow.test", "S3CRET"),
        ("mlflow+http://S3CRET@mlflow.test/x", "S3CRET"),
        ("https://ana:S3CRET@mlflow.test/?token=S3CRET2", "S3CRET"),
        ("mlflow+ftp://ana:S3CRET@mlflow.test", "S3CRET"),
        ("mlruns://S3CRET@host/abs/path", "S3CRET"),
    ],
)
def test_a_refused_uri_never_repeats_its_secret(uri: str, secret: str) -> None:
    with pytest.raises(SourceError) as info:
        open_source(uri)
    message = str(info.value)
    assert secret not in message, message
    assert "mlflow.test" in message or "host" in message  # still says which source


def test_shown_uri() -> None:
    assert shown_uri("mlflow+http://a:b@h:5000/p?token=x#f") == "mlflow+http://…@h:5000/p?…"
    assert shown_uri("/plain/path?with=query") == "/plain/path?with=query"  # a path, not a URI
    assert shown_uri("x://h/\x1b[2J") == "x://h/␛[2J"
