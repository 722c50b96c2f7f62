"""What the two read-only MLflow sources share: the mapping of MLflow entities to
modelcompare's models, the in-memory models table, and the metric-history cache.

`rest.py` (a tracking server, over REST: `client.py` speaks HTTP, `rest_json.py`
reads its answers) and `mlruns.py` (a file store folder) are *backends*
(`backend.py`): they read MLflow entities and hand them over in the neutral
shapes of `shapes.py`. `MlflowSource` (`catalog.py`, `source.py`) turns those
into the one Source interface, so both sources answer every question the same
way; `mapping.py` maps entities to models, `table.py` answers the models table
in memory, `caches.py` keeps histories, flavors and model->run links on disk.

The package imports nothing: `rest` (httpx) and `mlruns` are imported by who
needs them (sources.open_source).

Mapping (the README's "MLflow sources" section describes it for users):

* a model is a registered model version (id `name/version`, the name
  percent-encoded) or an MLflow 3 logged model (id `m-…`); a logged model that
  is registered is listed once, as its version, but stays reachable by its id;
* status: registered versions are `published`, unregistered logged models `draft`;
* project: the experiment of the source run; task: the source run;
* config: the run's params (plus the logged model's own params) as YAML, dotted
  keys nested so the Network tab shows each param under its logged name;
* metadata: registry facts, version/model tags (`tag:…`) and run tags (`run_tag:…`);
* scalars: metric histories with at least two distinct steps; a metric key's
  variant is the part after its last `/` (else after its last `.`, when that
  part does not start with a digit); keys without one have a single series
  whose variant is the key itself (ClearML's convention for one-series metrics);
* single values: metrics logged at a single step.
"""
