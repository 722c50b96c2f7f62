"""Speed of the Details / Network diff engine against the issue's targets.

Run: .venv/bin/python benchmarks/bench_diff.py
Prints the median of several runs (ms) beside each target. Data is
generated here, deterministically: realistic models (labels, metadata,
lineage), prototxt-like text configs, hyper-parameter sweeps as JSON.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable

from modelcompare_tui.core import config_flatten
from modelcompare_tui.core.diff import details_diff, network_diff
from modelcompare_tui.render.diff_text import diff_to_text
from modelcompare_tui.core.model import Config, MetadataItem, Model


def timed(
    fn: Callable[[], object], runs: int = 7, fresh: Callable[[], None] | None = None
) -> tuple[float, float]:
    """(best, median) wall time in ms; `fresh` runs before each run, untimed
    (clears caches). The machine is shared: best is the cost, median the feel."""
    samples = []
    for _ in range(runs):
        if fresh is not None:
            fresh()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples), statistics.median(samples)


def clear_parse_cache() -> None:
    config_flatten._parse_cached.cache_clear()


def detail_models(count: int, rng: random.Random) -> list[Model]:
    models = []
    for k in range(count):
        labels = {f"class_{c}": c for c in range(rng.randint(15, 25))}
        metadata = [
            MetadataItem(f"param_{p}", rng.choice(["float", "int", "str"]), str(rng.choice([1e-3, 0.001, 32, "adam"])))
            for p in range(rng.randint(20, 40))
        ]
        models.append(
            Model(
                id=f"{k:032x}",
                name=f"resnet50-run-{k}",
                project="vision/classification",
                framework="PyTorch",
                status=rng.choice(["draft", "published"]),
                tags=rng.sample(["baseline", "fp16", "sweep", "prod", "exp"], 2),
                user="alice",
                created=f"2024-05-{1 + k % 28:02d}T10:00:00Z",
                updated=f"2024-06-{1 + k % 28:02d}T10:00:00Z",
                comment="fine-tuned on the cleaned dataset " * rng.randint(1, 4),
                uri=f"s3://models/resnet50/{k}/model.pt",
                task_id=f"task{k}",
                task_name=f"train resnet50 #{k}",
                parent=f"{k - 1:032x}" if k else "",
                children=[f"{k + 1:032x}"],
                labels=labels,
                metadata=metadata,
            )
        )
    return models


def prototxt(lines: int, rng: random.Random) -> list[str]:
    out = ['name: "ResNet"']
    layer = 0
    while len(out) < lines:
        layer += 1
        out += [
            "layer {", f'  name: "conv{layer}"', '  type: "Convolution"',
            f'  bottom: "conv{layer - 1}"', f'  top: "conv{layer}"', "  convolution_param {",
            f"    num_output: {rng.choice([64, 128, 256])}", "    kernel_size: 3", "  }", "}",
        ]
    return out[:lines]


def sweep_config(keys: int, rng: random.Random) -> str:
    layers = [{"units": rng.choice([64, 128]), "activation": "relu", "dropout": 0.1} for _ in range(keys // 3)]
    config = {"optimizer": {"name": "adam", "lr": rng.choice([1e-3, 3e-4]), "betas": [0.9, 0.999]}, "layers": layers}
    return json.dumps(config, indent=2)


def main() -> None:
    rng = random.Random(7)
    results: list[tuple[str, tuple[float, float], str]] = []

    models10 = detail_models(10, rng)
    results.append(("Details, 10 models", timed(lambda: details_diff(models10)), "<= 50 ms"))
    models100 = detail_models(100, rng)
    results.append(("Details, 100 models", timed(lambda: details_diff(models100)), "fast"))
    results.append(
        ("Details, 100 models, mode=all", timed(lambda: details_diff(models100, "all")), "fast")
    )

    base_lines = prototxt(5000, rng)
    edited = list(base_lines)
    for _ in range(40):  # scattered edits, insertions and deletions
        pos = rng.randrange(len(edited))
        action = rng.choice(["edit", "insert", "delete"])
        if action == "edit":
            edited[pos] = edited[pos] + "  # tuned"
        elif action == "insert":
            edited.insert(pos, "    bias_term: false")
        else:
            del edited[pos]
    pair = [
        Model("a", "base", config=Config("text", "\n".join(base_lines))),
        Model("b", "edited", config=Config("text", "\n".join(edited))),
    ]
    results.append(
        ("Network, 2 x 5,000-line text, 40 edits (cold)",
         timed(lambda: network_diff(pair), fresh=clear_parse_cache), "<= 200 ms")
    )
    other = prototxt(5000, random.Random(99))  # same structure, different values throughout
    unrelated = [pair[0], Model("c", "other", config=Config("text", "\n".join(other)))]
    results.append(
        ("Network, 2 x 5,000-line text, ~1,000 changed lines (cold)",
         timed(lambda: network_diff(unrelated), fresh=clear_parse_cache), "<= 200 ms")
    )
    shuffled = list(base_lines)
    random.Random(3).shuffle(shuffled)
    scrambled = [pair[0], Model("d", "shuffled", config=Config("text", "\n".join(shuffled)))]
    results.append(
        ("Network, 2 x 5,000-line text, lines shuffled (worst case, cold)",
         timed(lambda: network_diff(scrambled), runs=3, fresh=clear_parse_cache), "fast")
    )

    sweep = [Model(f"s{k}", f"sweep-{k}", config=Config("json", sweep_config(2000, random.Random(k)))) for k in range(10)]
    results.append(
        ("Network, 10 x 2,000-key JSON (cold)",
         timed(lambda: network_diff(sweep), fresh=clear_parse_cache), "<= 200 ms")
    )
    results.append(("Network, 10 x 2,000-key JSON (parsed, warm)", timed(lambda: network_diff(sweep)), "<= 200 ms"))
    sweep100 = [Model(f"s{k}", f"sweep-{k}", config=Config("json", sweep_config(2000, random.Random(k)))) for k in range(100)]
    results.append(
        ("Network, 100 x 2,000-key JSON (cold)",
         timed(lambda: network_diff(sweep100), runs=3, fresh=clear_parse_cache), "fast")
    )
    texts10 = [pair[0]] + [
        Model(f"t{k}", f"edit-{k}", config=Config("text", "\n".join(
            line + ("  # x" if i % 97 == k else "") for i, line in enumerate(base_lines))))
        for k in range(9)
    ]
    results.append(
        ("Network, 10 x 5,000-line text (cold)",
         timed(lambda: network_diff(texts10), runs=3, fresh=clear_parse_cache), "fast")
    )
    table = network_diff(texts10)
    results.append(("diff_to_text of that (10 x 5,000 lines)", timed(lambda: diff_to_text(table, 200), runs=3), "-"))

    width = max(len(name) for name, _, _ in results)
    print(f"{'':<{width}}  {'best':>8}  {'median':>8}")
    for name, (best, median), target in results:
        print(f"{name:<{width}}  {best:8.1f}  {median:8.1f} ms   target {target}")


if __name__ == "__main__":
    main()
