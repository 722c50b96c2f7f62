"""Labels that tell the compared models apart (core/labels.py): pure logic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from modelcompare_tui.core.labels import fit_labels, model_labels, uncut_widths
from modelcompare_tui.core.model import Model

SWEEP = [f"wav2vec2-base-librispeech-lr{lr}" for lr in ("1e-5", "3e-5", "1e-4", "3e-4")]


def test_labels_that_fit_are_kept_whole() -> None:
    assert fit_labels(SWEEP, 40) == SWEEP


def test_the_shared_words_go_first_so_a_sweep_stays_told_apart() -> None:
    assert fit_labels(SWEEP, 12) == ["…lr1e-5", "…lr3e-5", "…lr1e-4", "…lr3e-4"]


def test_a_shared_end_goes_too() -> None:
    assert fit_labels(["run-2024-seed1-final", "run-2024-seed2-final"], 10) == ["…seed1…", "…seed2…"]


def test_a_label_that_is_the_shared_part_keeps_both_ends() -> None:
    fitted = fit_labels(["wav2vec2-base-librispeech", "wav2vec2-base-librispeech-lr3e-5", "resnet50"], 12)
    assert fitted[2] == "resnet50"
    assert fitted[0] != fitted[1] and fitted[1].endswith("3e-5")


def test_one_width_each() -> None:
    fitted = fit_labels(SWEEP, [40, 8, 8, 40])
    assert fitted == [SWEEP[0], "…lr3e-5", "…lr1e-4", SWEEP[3]]


def test_duplicate_names_get_the_short_id_and_nameless_models_the_id() -> None:
    models = [Model(id="a1a1a1a1ffff", name="resnet50"), Model(id="b2b2b2b2ffff", name="resnet50"),
              Model(id="c3c3c3c3ffff", name="")]
    assert model_labels(models) == ["resnet50 (a1a1a1a1)", "resnet50 (b2b2b2b2)", "c3c3c3c3ffff"]


names = st.lists(st.text(alphabet="ab-_0123456789é漢", min_size=1, max_size=30), min_size=1, max_size=6, unique=True)


@given(names, st.integers(min_value=1, max_value=40))
def test_fitted_labels_fit_and_stay_apart_when_there_is_room(labels: list[str], width: int) -> None:
    fitted = fit_labels(labels, width)
    assert all(cell_len(label) <= width for label in fitted)
    if width >= 12 and all(len(label) <= 11 for label in labels):
        assert fitted == labels
    if width >= 20 and len(set(labels)) == len(labels):
        assert len(set(fitted)) == len(fitted)


def test_in_little_room_the_last_words_tell_a_sweep_apart() -> None:
    labels = [*SWEEP[:2], "wav2vec2-base-librispeech"]
    fitted = fit_labels(labels, 10)
    assert fitted[:2] == ["…lr1e-5", "…lr3e-5"]
    assert len(fitted[2]) <= 10 and fitted[2] not in fitted[:2]


def test_the_point_of_a_number_is_not_a_word_break() -> None:
    """`lr0.01` is one word: sweep members read …lr0.01 / …lr0.03, not …01 / …03."""
    labels = ["convnext-tiny-cifar10-ft-clean-lr0.01", "convnext-tiny-cifar10-ft-clean-lr0.03",
              "convnext-tiny-cifar10-ft-clean"]
    assert fit_labels(labels, 8) == ["…lr0.01", "…lr0.03", "…clean"]
    assert uncut_widths(labels) == [7, 7, 6]
    assert fit_labels(["vit-b16-do0.2", "vit-b16-do0.3"], 6) == ["…do0.2", "…do0.3"]
