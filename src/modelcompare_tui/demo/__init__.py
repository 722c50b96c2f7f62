"""Deterministic demo registry (`modelcompare --demo`, `modelcompare demo`).

`generate_demo(n_models, seed)` returns ModelRecords that look like a team's
model registry: six projects (vision, NLP, speech, recommendation, tabular),
six frameworks, families of a baseline and its fine-tunes, sweeps, fp16 and
distilled variants (lineage through `parent`), configs in JSON, YAML and text
that differ the way sweeps do, training curves with schedules, plateaus,
spikes, the odd NaN and a resumed run that re-reports iterations, single
values, and plots of every kind.

Determinism: the same (n_models, seed, now) gives identical records, ids
included. Everything random comes from numpy Generators seeded from `seed`;
every time is an offset back from `now`, which defaults to a fixed instant
(DEFAULT_NOW), never the clock. Two layers of randomness:
- a planning Generator decides the registry model by model (families,
  lineage, names, ids, hyper-parameters, times, run lengths);
- each model's bulk data (curves, plots) comes from its own Generator seeded
  with (seed, index), so curves never shift when planning code changes.
(numpy does not promise identical streams across its major versions.)

Size: the default 40 models hold about 0.5 million scalar points; every curve
is built with vectorised numpy, so generation takes a fraction of a second.
Records come out parents first, so a store can insert them in order.

The package: `tables` (the data: projects, architectures, people, texts),
`helpers`, `plan` (the registry's plans), `curves`, `configs`, `plots`, and
`generator` (one record per plan; the public API re-exported here).
"""

from __future__ import annotations

from .generator import generate_demo, iter_demo
from .helpers import DAY, DEFAULT_NOW, MAX_DEMO_MODELS, DemoError

__all__ = ["DAY", "DEFAULT_NOW", "MAX_DEMO_MODELS", "DemoError", "generate_demo", "iter_demo"]
