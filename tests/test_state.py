"""The state string (PRODUCT.md §7): round trip, refusal of damaged strings,
tolerant pasting, compactness, bounded decoding and credential refusal."""

from __future__ import annotations

import re
import uuid
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcompare_tui.core import state as state_mod
from modelcompare_tui.core.state import (
    MAX_MODELS,
    STATE_PREFIX,
    TABS,
    ComparisonState,
    DiffView,
    PlotsView,
    ScalarsView,
    StateError,
    decode_state,
    encode_state,
    normalize_pasted,
)

SAFE = re.compile(r"mc1\.[0-9A-Za-z]+")

# -- strategies ------------------------------------------------------------------

# Text the codec accepts: no control characters, surrogates or bidi overrides.
_BIDI = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
safe_chars = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters=_BIDI)
texts = st.text(safe_chars, max_size=40)

hex_ids = st.binary(min_size=16, max_size=16).map(bytes.hex)
uuid_ids = st.binary(min_size=16, max_size=16).map(lambda b: str(uuid.UUID(bytes=b)))
prefixed_hex_ids = st.builds(lambda p, h: p + h, st.text(safe_chars, min_size=1, max_size=8), hex_ids)
text_ids = st.text(safe_chars, min_size=1, max_size=60)
model_ids = st.one_of(hex_ids, uuid_ids, prefixed_hex_ids, text_ids)

int64 = st.integers(-(2**63), 2**63 - 1)


@st.composite
def zooms(draw: st.DrawFn) -> tuple[int, int] | None:
    if draw(st.booleans()):
        return None
    a, b = draw(int64), draw(int64)
    return (min(a, b), max(a, b))


diff_views = st.builds(
    DiffView,
    hide_identical=st.booleans(),
    diff_mode=st.sampled_from(("base", "all")),
    search=texts,
    cursor_row=st.integers(0, 2**31 - 1),
)
scalars_views = st.builds(
    ScalarsView,
    view=st.sampled_from(("values", "graph")),
    agg=st.sampled_from(("last", "min", "max")),
    extremes=st.booleans(),
    delta=st.booleans(),
    metric_filter=texts,
    group_by=st.sampled_from(("variant", "metric")),
    x_axis=st.sampled_from(("iteration", "relative", "wall")),
    smoothing=st.sampled_from(("none", "ema", "running", "gaussian")),
    smoothing_weight=st.floats(0.0, 1.0, exclude_max=True),
    log_y=st.booleans(),
    focused=texts,
    maximized=st.booleans(),
    zoom=zooms(),
    config_legend=st.booleans(),
)
plots_views = st.builds(
    PlotsView,
    iteration=st.one_of(st.none(), int64),
    metric_filter=texts,
    focused=texts,
    maximized=st.booleans(),
)
sources = st.one_of(
    st.just(""),
    st.sampled_from(
        (
            "sqlite:///home/me/models.db",
            "mlflow+https://tracking.example.com:5000",
            "mlruns:///data/mlruns",
            "/srv/store@2024/models.db",  # '@' in a path is not a credential
        )
    ),
    st.text(st.characters(codec="ascii", exclude_categories=("Cc",), exclude_characters="@?"), max_size=50),
)
states = st.builds(
    ComparisonState,
    source=sources,
    models=st.lists(model_ids, max_size=12, unique=True).map(tuple),
    tab=st.sampled_from(TABS),
    details=diff_views,
    network=diff_views,
    scalars=scalars_views,
    plots=plots_views,
)


def typical_state(n_models: int = 10) -> ComparisonState:
    """What a user shares: hex ids, a scalars graph with a few options set."""
    return ComparisonState(
        source="mlflow+https://mlflow.internal.example.com:5000",
        models=tuple(uuid.UUID(int=(i + 1) * 0x9E3779B97F4A7C15F39CC0605CEDC834 % 2**128).hex for i in range(n_models)),
        tab="scalars",
        details=DiffView(hide_identical=True),
        scalars=ScalarsView(
            view="graph",
            agg="max",
            extremes=True,
            metric_filter="val/*",
            x_axis="relative",
            smoothing="ema",
            smoothing_weight=0.6,
            log_y=True,
            focused="loss/total",
            maximized=True,
            zoom=(1000, 25000),
            config_legend=True,
        ),
        plots=PlotsView(iteration=24000, focused="confusion/val"),
    )


def _string_from_payload(payload: bytes, flags: int = 0) -> str:
    """A correctly checksummed string around an arbitrary payload: to reach the
    field validation that the checksum otherwise shields."""
    blob = bytes((flags,)) + payload + state_mod._crc(flags, payload)
    return STATE_PREFIX + state_mod._b62_encode(blob)


# -- round trip --------------------------------------------------------------------


@given(states)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip(state: ComparisonState) -> None:
    text = encode_state(state)
    assert SAFE.fullmatch(text), text
    assert decode_state(text) == state


def test_default_state_is_tiny_and_round_trips() -> None:
    text = encode_state(ComparisonState())
    assert len(text) <= 12
    assert decode_state(text) == ComparisonState()


def test_ids_of_every_packing_keep_their_exact_spelling() -> None:
    ids = (
        "0123456789abcdef0123456789abcdef",
        "01234567-89ab-cdef-0123-456789abcdef",
        "m-0123456789abcdef0123456789abcdef",
        "0123456789ABCDEF0123456789ABCDEF",  # upper case: not packed, kept as text
        "resnet50/3",
        "ünïcode-模型",
    )
    state = ComparisonState(models=ids)
    assert decode_state(encode_state(state)).models == ids


def test_hundred_models_round_trip_and_hundred_and_one_are_refused() -> None:
    models = tuple(uuid.UUID(int=i + 1).hex for i in range(MAX_MODELS))
    assert decode_state(encode_state(ComparisonState(models=models))).models == models
    with pytest.raises(StateError, match="at most 100"):
        encode_state(ComparisonState(models=models + ("extra",)))


# -- damaged strings are refused -------------------------------------------------

def _refused(text: str) -> None:
    with pytest.raises(StateError) as info:
        decode_state(text)
    message = str(info.value)
    assert message.startswith("state string: ") and "\n" not in message


@given(states, st.data())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_single_character_mutation_is_refused(state: ComparisonState, data: st.DataObject) -> None:
    text = encode_state(state)
    i = data.draw(st.integers(0, len(text) - 1), label="position")
    c = data.draw(st.characters(codec="ascii").filter(lambda ch: ch != text[i]), label="replacement")
    _refused(text[:i] + c + text[i + 1 :])


@given(states, st.data())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_truncation_deletion_and_insertion_are_refused(state: ComparisonState, data: st.DataObject) -> None:
    text = encode_state(state)
    cut = data.draw(st.integers(0, len(text) - 1), label="cut")
    _refused(text[:cut])
    _refused(text[cut + 1 :] if cut == 0 else text[:cut] + text[cut + 1 :])
    c = data.draw(st.sampled_from(state_mod._B62), label="inserted")
    _refused(text[:cut] + c + text[cut:])


def test_adjacent_transpositions_are_refused() -> None:
    text = encode_state(typical_state())
    for i in range(len(text) - 1):
        if text[i] != text[i + 1]:
            _refused(text[:i] + text[i + 1] + text[i] + text[i + 2 :])


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_random_text_is_refused(text: str) -> None:
    _refused(text)


@given(st.text(state_mod._B62, max_size=200))
@settings(max_examples=300)
def test_random_payload_characters_after_the_prefix_are_refused(tail: str) -> None:
    _refused(STATE_PREFIX + tail)


@given(st.binary(max_size=300), st.sampled_from(("raw", "deflated", "raw but flagged deflated", "unknown flag")))
@settings(max_examples=500)
def test_any_checksummed_payload_decodes_to_a_valid_state_or_is_refused(payload: bytes, packing: str) -> None:
    """Past the checksum, arbitrary bytes never raise anything but StateError,
    and whatever decodes is a state encode_state accepts."""
    flags = {"raw": 0, "deflated": 1, "raw but flagged deflated": 1, "unknown flag": 4}[packing]
    if packing == "deflated":
        payload = zlib.compress(payload, 9, wbits=-15)
    try:
        decoded = decode_state(_string_from_payload(payload, flags))
    except StateError:
        return
    assert decode_state(encode_state(decoded)) == decoded


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ''  ", "empty"),
        ("hello", "format version"),
        ("mc2.abc", "newer than this modelcompare"),
        ("mc0.abc", "unknown format version"),
        ("mc1.abc!def", "invalid character '!'"),
        ("mc1.0", "wrong length"),
        ("mc1.0000000", "checksum mismatch"),
    ],
)
def test_messages_are_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(StateError, match=re.escape(message)):
        decode_state(text)


def test_non_text_is_refused_with_state_error() -> None:
    with pytest.raises(StateError, match="expected text"):
        decode_state(b"mc1.abc")  # type: ignore[arg-type]


# -- bounded, validating decoder (payloads with a valid checksum) ------------------


@pytest.mark.parametrize(
    ("payload", "flags", "message"),
    [
        (bytes([99, 0]), 0, "unknown field #99 (written by a newer modelcompare"),
        (bytes([3, 9]), 0, "tab: unknown value #9"),
        (bytes([25, 3]), 0, "scalars.agg: unknown value #3"),
        (bytes([26, 26]), 0, "scalars.extremes: field repeated or out of order"),
        (bytes([3, 1, 3, 2]), 0, "tab: field repeated or out of order"),
        (bytes([25, 1, 3, 2]), 0, "tab: field repeated or out of order"),
        (bytes([2, 202]) + bytes([1]), 0, "models: 101 models, at most 100"),
        (bytes([2, 7]) + bytes(40), 0, "models: data ends early"),
        (bytes([2, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), 0, "models: 2147483647 models"),
        (bytes([2, 2, 0xFF, 0xFF, 0x03]), 0, "models[0]: longer than 256 bytes"),
        (bytes([2, 2, 20, 0x61]), 0, "models[0]: data ends early"),
        (bytes([2, 4, 4, 0x61, 4, 0x61]), 0, "models[1]: model 'a' appears twice"),
        (bytes([2, 2, 2]), 0, "models[0]: empty model id"),
        (bytes([2, 2, 4, 0xFF]), 0, "models[0]: not valid UTF-8"),
        (bytes([10, 1, 0x1B]), 0, "details.search: control character"),
        (bytes([10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]), 0, "number too long"),
        (bytes([11, 1]), 0, "details.cursor_row: -1 is outside"),
        (bytes([32, 3]) + b"nan", 0, "scalars.smoothing_weight: 'nan' is not a number"),
        (bytes([32, 3]) + b"1.5", 0, "scalars.smoothing_weight: 1.5 is outside 0..1"),
        (bytes([36, 4, 1]), 0, "scalars.zoom: range 2..1 is reversed"),
        (bytes([1, 24]) + b"http://u:secret@host:80/", 0, "source: the URI holds credentials"),
        (b"", 0x02, "unknown format flags"),
        (b"\x00\x01", 1, "corrupt compressed data"),
        (zlib.compress(b"\x00" * 1_000_000, 9, wbits=-15), 1, "payload larger than"),
    ],
)
def test_decoder_validates_every_field(payload: bytes, flags: int, message: str) -> None:
    with pytest.raises(StateError, match=re.escape(message)):
        decode_state(_string_from_payload(payload, flags))


def test_the_largest_valid_state_round_trips_within_the_bounds() -> None:
    """Every length at its limit: the decoder's size bounds must not refuse it."""
    wide = "\u00e9" * 256  # 2 UTF-8 bytes each: 512 bytes
    state = ComparisonState(
        source="/" + "s" * 1023,
        models=tuple(f"{i:03d}" + "x" * 253 for i in range(MAX_MODELS)),
        tab="plots",
        details=DiffView(True, "all", wide, 2**31 - 1),
        network=DiffView(True, "all", wide, 2**31 - 1),
        scalars=ScalarsView(
            "graph", "min", True, True, wide, "metric", "wall", "gaussian", 1 / 3, True, wide, True, (-(2**63), 2**63 - 1)
        ),
        plots=PlotsView(-(2**63), wide, wide, True),
    )
    text = encode_state(state)
    assert len(text) <= state_mod.MAX_STATE_CHARS
    assert decode_state(text) == state


def test_overlong_input_is_refused_before_decoding() -> None:
    with pytest.raises(StateError, match="too long"):
        decode_state(STATE_PREFIX + "A" * (state_mod.MAX_STATE_CHARS + 10))


# -- tolerant pasting -------------------------------------------------------------


def _wrap(text: str, width: int = 60) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


@given(states, st.sampled_from(("'{}'", '"{}"', "`{}`", "```\n{}\n```", "  {}  \n", "\t{}\r\n", "“{}”", "{}")))
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_wrapped_quoted_and_padded_pastes_decode(state: ComparisonState, wrapper: str) -> None:
    text = encode_state(state)
    assert decode_state(wrapper.format(_wrap(text))) == state
    assert decode_state(wrapper.format(" ".join(text[i : i + 7] for i in range(0, len(text), 7)))) == state


def test_normalize_pasted() -> None:
    assert normalize_pasted(" 'mc1.ab\n cd' \n") == "mc1.abcd"
    assert normalize_pasted("mc1.ab\u200bcd\u00a0ef\ufeff") == "mc1.abcdef"
    assert normalize_pasted('"mc1.ab\r\n\tcd"') == "mc1.abcd"
    assert normalize_pasted("```\nmc1.abcd\n```") == "mc1.abcd"


# -- compactness ------------------------------------------------------------------


def test_ten_hex_models_with_typical_options_fit_in_400_characters() -> None:
    state = typical_state(10)
    text = encode_state(state)
    print(f"\n10 models x 32-hex ids + typical options: {len(text)} characters (limit 400)")
    assert len(text) <= 400
    assert decode_state(text) == state


def test_repetitive_text_ids_are_compressed() -> None:
    models = tuple(f"experiments/resnet50-finetune-lr{i}e-4/checkpoint-final" for i in range(10))
    raw_text_bytes = sum(len(m) for m in models)
    text = encode_state(ComparisonState(models=models))
    assert len(text) < raw_text_bytes  # without DEFLATE it would need ~1.37 chars per byte
    assert decode_state(text).models == models


# -- what encode refuses ----------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "mlflow+https://alice:s3cr3t@mlflow.example.com",
        "mlflow+http://alice:s3cr3t@10.0.0.5:5000/path",
        "mlflow+https://ghp_s3cr3t@mlflow.example.com",
        "mlflow+https://mlflow.example.com/?token=s3cr3t",
        "mlflow+https://mlflow.example.com/?x=1&Api_Key=s3cr3t",
    ],
)
def test_credentials_in_the_source_are_refused_and_not_echoed(uri: str) -> None:
    with pytest.raises(StateError, match="credential") as info:
        encode_state(ComparisonState(source=uri, models=("a",)))
    assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "sqlite:///home/me/store.db",
        "/home/me/at@sign/store.db",
        "mlflow+https://h:5000/?experiment=3",
        "mlruns:///x",
    ],
)
def test_sources_without_credentials_are_accepted(uri: str) -> None:
    assert decode_state(encode_state(ComparisonState(source=uri))).source == uri


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (ComparisonState(tab="summary"), "tab: 'summary' is not one of details, network, scalars, plots"),
        (ComparisonState(scalars=ScalarsView(agg="median")), "scalars.agg: 'median' is not one of last, min, max"),
        (ComparisonState(scalars=ScalarsView(smoothing_weight=float("nan"))), "smoothing_weight: nan is outside 0..1"),
        (ComparisonState(scalars=ScalarsView(smoothing_weight=1.5)), "smoothing_weight: 1.5 is outside 0..1"),
        (ComparisonState(scalars=ScalarsView(zoom=(10, 5))), "scalars.zoom: range 10..5 is reversed"),
        (ComparisonState(scalars=ScalarsView(log_y=1)), "scalars.log_y: expected true/false"),  # type: ignore[arg-type]
        (ComparisonState(details=DiffView(cursor_row=-1)), "details.cursor_row: -1 is outside"),
        (ComparisonState(plots=PlotsView(iteration=2**63)), "plots.iteration"),
        (ComparisonState(plots=PlotsView(iteration=1.0)), "plots.iteration: expected an integer"),  # type: ignore[arg-type]
        (ComparisonState(models=("a", "b", "a")), "models[2]: model 'a' appears twice"),
        (ComparisonState(models=("",)), "models[0]: empty model id"),
        (ComparisonState(models=("x" * 257,)), "models[0]: longer than 256 bytes"),
        (ComparisonState(models=("a\x1b[31m",)), "models[0]: control character"),
        (ComparisonState(models=("\ud800",)), "models[0]: control character"),
        (ComparisonState(network=DiffView(search="a\u202eb")), "network.search: control character"),
        (ComparisonState(scalars=ScalarsView(metric_filter="x" * 513)), "scalars.metric_filter: longer than 512"),
        (ComparisonState(details=ScalarsView()), "details: expected a DiffView"),  # type: ignore[arg-type]
    ],
)
def test_encode_refuses_values_the_decoder_would_refuse(state: ComparisonState, message: str) -> None:
    with pytest.raises(StateError, match=re.escape(message)):
        encode_state(state)


def test_messages_cut_long_values_short() -> None:
    with pytest.raises(StateError) as info:
        encode_state(ComparisonState(tab="x" * 10_000))
    assert len(str(info.value)) < 200


def test_state_error_is_a_value_error() -> None:
    assert issubclass(StateError, ValueError)

