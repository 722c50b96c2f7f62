"""One validator for states (issue #10): `decode_state` accepts exactly what
`validate_state` (so `encode_state` and `share`) accepts, and every state it
accepts renders."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcompare_tui.core.modelfile import FORMAT, parse_model_document
from modelcompare_tui.core.state import (
    INT64_MAX,
    INT64_MIN,
    STATE_PREFIX,
    ComparisonState,
    DiffView,
    PlotsView,
    ScalarsView,
    StateError,
    decode_state,
    encode_state,
    validate_state,
)
from modelcompare_tui.render.views import RenderError, render_view

IDS = ("a" * 32, "b" * 32)
FORMATS = ("text", "ansi", "json", "csv", "md", "svg", "html")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from modelcompare_tui.sources.store import SQLiteStore

    points = [[i, 1.0 / (i + 1), 1_700_000_000 + 10 * i] for i in range(40)]
    doc = {"format": FORMAT, "models": [
        {"id": IDS[0], "name": "alpha", "scalars": [{"metric": "loss", "variant": "train", "points": points}],
         "plots": [{"metric": "p", "variant": "v", "iteration": 3, "kind": "line",
                    "data": {"series": [{"name": "s", "x": [0, 1], "y": [1, 0]}]}},
                   {"metric": "h", "variant": "h", "iteration": 1, "kind": "histogram",
                    "data": {"series": [{"name": "s", "values": [1, 2, 2, 3]}]}}]},
        {"id": IDS[1], "name": "beta", "scalars": [{"metric": "loss", "variant": "train",
                                                    "points": [[i, 2.0 - i / 40] for i in range(40)]}]},
    ]}
    store = SQLiteStore(tmp_path_factory.mktemp("state") / "store.db")
    store.import_records(parse_model_document(doc, "f"))
    yield store
    store.close()


# -- generated states ---------------------------------------------------------------------

texts = st.one_of(st.sampled_from(["", "loss/train", "p/v", "h/h", "loss", "*", "lo*", "[a]", "x" * 512]),
                  st.text(max_size=20))
weights = st.one_of(st.sampled_from([0.0, 0.3, 0.999, 0.999999, 1.0, -0.0, 1e-300, 5e-324, 1.5, float("nan")]),
                    st.floats(min_value=0, max_value=1))
ints = st.one_of(st.sampled_from([INT64_MIN, INT64_MAX, 0, -1, 2**62]), st.integers(INT64_MIN, INT64_MAX))
zooms = st.one_of(st.none(), st.tuples(ints, ints).map(lambda t: (min(t), max(t))))

scalars_views = st.builds(
    ScalarsView,
    view=st.sampled_from(["values", "graph"]), agg=st.sampled_from(["last", "min", "max"]),
    extremes=st.booleans(), delta=st.booleans(), metric_filter=texts,
    group_by=st.sampled_from(["variant", "metric"]), x_axis=st.sampled_from(["iteration", "relative", "wall"]),
    smoothing=st.sampled_from(["none", "ema", "running", "gaussian"]), smoothing_weight=weights,
    log_y=st.booleans(), focused=texts, maximized=st.booleans(), zoom=zooms, config_legend=st.booleans(),
)
states = st.builds(
    ComparisonState,
    models=st.sampled_from([IDS, IDS[::-1], IDS[:1], (IDS[0], "missing")]),
    tab=st.sampled_from(["details", "network", "scalars", "plots"]),
    details=st.builds(DiffView, hide_identical=st.booleans(), diff_mode=st.sampled_from(["base", "all"]),
                      search=texts, cursor_row=st.integers(0, 2**31 - 1)),
    scalars=scalars_views,
    plots=st.builds(PlotsView, iteration=st.one_of(st.none(), ints), metric_filter=texts, focused=texts,
                    maximized=st.booleans()),
)


def accepted(state: ComparisonState) -> bool:
    try:
        validate_state(state)
    except StateError:
        return False
    return True


def render_everything(store, state: ComparisonState) -> None:  # noqa: ANN001
    for fmt in FORMATS:
        try:
            assert isinstance(render_view(store, state, fmt=fmt, width=70), str)
        except RenderError:
            pass  # a request the view refuses with exit 2 (csv of a diff tab): not a crash


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(state=states)
def test_validator_and_codec_agree_and_accepted_states_render(small_store, state: ComparisonState) -> None:  # noqa: ANN001
    ok = accepted(state)
    try:
        text = encode_state(state)
    except StateError:
        assert not ok
        return
    assert ok
    decoded = decode_state(text)
    assert decoded == validate_state(state)
    render_everything(small_store, decoded)


def test_smoothing_weight_one_is_refused_by_both_paths() -> None:
    state = ComparisonState(models=IDS, scalars=ScalarsView(view="graph", smoothing="ema", smoothing_weight=1.0))
    with pytest.raises(StateError, match=r"scalars.smoothing_weight: 1.0 is outside 0..1 \(0 <= weight < 1\)"):
        validate_state(state)
    with pytest.raises(StateError, match="smoothing_weight"):
        encode_state(state)
    # a string written by an older codec that allowed 0..1 inclusive is refused, not rendered
    legal = encode_state(replace(state, scalars=replace(state.scalars, smoothing_weight=0.5)))
    forged = _with_weight_text(legal, b"0.5", b"1.0")
    with pytest.raises(StateError, match="smoothing_weight"):
        decode_state(forged)


def test_the_largest_weight_below_one_renders(small_store) -> None:  # noqa: ANN001
    for kind in ("ema", "running", "gaussian"):
        state = ComparisonState(models=IDS, tab="scalars",
                                scalars=ScalarsView(view="graph", smoothing=kind, smoothing_weight=0.9999999999999999))
        render_everything(small_store, decode_state(encode_state(state)))


def _with_weight_text(text: str, old: bytes, new: bytes) -> str:
    """`text` re-encoded with the smoothing weight's decimal text replaced (a
    string another writer could produce: the checksum is recomputed)."""
    from modelcompare_tui.core import state as codec

    blob = codec._b62_decode(text[len(STATE_PREFIX):], len(STATE_PREFIX))
    flags, body = blob[0], blob[1:-4]
    if flags:
        body = codec._inflate(body)
    assert old in body
    body = body.replace(old, new)
    return STATE_PREFIX + codec._b62_encode(bytes((0,)) + body + codec._crc(0, body))


# -- mutated strings ----------------------------------------------------------------------


def _seed_strings() -> list[str]:
    out = []
    for state in (
        ComparisonState(models=IDS, tab="scalars", scalars=ScalarsView(
            view="graph", smoothing="ema", smoothing_weight=0.6, focused="loss/train", maximized=True,
            zoom=(0, 30), log_y=True)),
        ComparisonState(models=IDS, tab="plots", plots=PlotsView(iteration=3, focused="p/v", maximized=True)),
        ComparisonState(source="/data/x.db", models=IDS[::-1], tab="network",
                        network=DiffView(hide_identical=True, search="lr")),
    ):
        out.append(encode_state(state))
    return out


def _mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        i = rng.randrange(len(STATE_PREFIX), len(chars))
        if op < 0.5:
            chars[i] = rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        elif op < 0.75:
            del chars[i]
        else:
            chars.insert(i, rng.choice("0aZz"))
    return "".join(chars)


def test_mutated_strings_are_refused_or_decode_to_valid_rendering_states(small_store) -> None:  # noqa: ANN001
    rng = random.Random(10)
    decoded_any = 0
    for seed in _seed_strings():
        original = decode_state(seed)
        for _ in range(700):
            text = _mutate(seed, rng)
            try:
                state = decode_state(text)
            except StateError:
                continue
            # a mutation that still decodes must be a valid state, and it renders
            assert validate_state(state) == state
            assert state == original or text != seed
            decoded_any += 1
            render_everything(small_store, state)
    assert decoded_any < 20  # the checksum refuses nearly every mutation


def test_forged_payloads_with_a_valid_checksum(small_store) -> None:  # noqa: ANN001
    """Random payload bytes under a correct checksum: decode refuses them with
    StateError, or the state they decode to is valid and renders."""
    from modelcompare_tui.core import state as codec

    rng = random.Random(7)
    blob = codec._b62_decode(_seed_strings()[0][len(STATE_PREFIX):], len(STATE_PREFIX))
    base = bytearray(codec._inflate(blob[1:-4]) if blob[0] else blob[1:-4])
    decoded = 0
    for _ in range(1500):
        body = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            body[rng.randrange(len(body))] = rng.randrange(256)
        text = STATE_PREFIX + codec._b62_encode(bytes((0,)) + bytes(body) + codec._crc(0, bytes(body)))
        try:
            state = decode_state(text)
        except StateError:
            continue
        assert validate_state(state) == state
        decoded += 1
        if decoded <= 60:
            render_everything(small_store, state)
    assert decoded > 0


def test_validate_state_names_the_field() -> None:
    with pytest.raises(StateError, match=r"^state string: plots.focused: control character"):
        validate_state(ComparisonState(plots=PlotsView(focused="a\x1bb")))
    with pytest.raises(StateError, match=r"scalars.zoom: range 5..1 is reversed"):
        validate_state(ComparisonState(scalars=ScalarsView(zoom=(5, 1))))
    state = ComparisonState(models=IDS, scalars=ScalarsView(smoothing_weight=0.5))
    assert validate_state(state) is state


def test_share_refuses_weight_one(small_store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    from modelcompare_tui.cli import main

    code = main(["share", "--store", str(small_store.path), IDS[0], "--smoothing-weight", "1"])
    assert code == 2
    assert "smoothing" in capsys.readouterr().err
