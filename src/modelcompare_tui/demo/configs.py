"""Configs in every format: PyTorch module text, Caffe prototxt, estimator params,
JSON/YAML data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from ..core.model import Config
from .plan import _Plan


@dataclass(frozen=True)
class _Leaf:
    name: str
    torch: str  # as PyTorch prints it
    proto_type: str  # as a Caffe prototxt layer
    proto_params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class _Block:
    name: str
    count: int
    cls: str
    leaves: tuple[_Leaf, ...]


_Item = _Leaf | _Block


def _linear(name: str, n_in: int, n_out: int) -> _Leaf:
    return _Leaf(name, f"Linear(in_features={n_in}, out_features={n_out}, bias=True)", "InnerProduct",
                 (("num_output", n_out),))


def _conv(name: str, n_in: int, n_out: int, k: int, stride: int = 1, groups: int = 1) -> _Leaf:
    pad = k // 2
    extra = f", groups={groups}" if groups > 1 else ""
    return _Leaf(name, f"Conv2d({n_in}, {n_out}, kernel_size=({k}, {k}), stride=({stride}, {stride}), "
                 f"padding=({pad}, {pad}){extra}, bias=False)", "Convolution",
                 (("num_output", n_out), ("kernel_size", k), ("stride", stride), ("pad", pad)))


def _norm(name: str, width: int, kind: str = "batch") -> _Leaf:
    if kind == "batch":
        return _Leaf(name, f"BatchNorm2d({width}, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
                     "BatchNorm")
    return _Leaf(name, f"LayerNorm(({width},), eps=1e-12, elementwise_affine=True)", "LayerNorm")


def _dropout(name: str, p: float) -> _Leaf:
    return _Leaf(name, f"Dropout(p={p:g}, inplace=False)", "Dropout", (("dropout_ratio", p),))


def _act(name: str, kind: str = "ReLU") -> _Leaf:
    torch = {"ReLU": "ReLU(inplace=True)", "GELU": "GELU(approximate='none')", "SiLU": "SiLU(inplace=True)"}[kind]
    return _Leaf(name, torch, kind)


def _layers(plan: _Plan) -> list[_Item]:
    hp, arch = plan.hp, plan.arch
    depth, width, p, classes = hp["num_layers"], hp["hidden_size"], hp["dropout"], len(plan.labels)
    kind = arch.kind
    items: list[_Item] = []
    head_in = width
    if kind == "cnn":
        items += [_conv("conv1", 3, 64, 7, 2), _norm("bn1", 64), _act("relu"),
                  _Leaf("maxpool", "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)",
                        "Pooling", (("pool", "MAX"), ("kernel_size", 3), ("stride", 2)))]
        items.append(_Block("layers", depth, "Bottleneck", (
            _conv("conv1", width * 4, width, 1), _norm("bn1", width), _conv("conv2", width, width, 3),
            _norm("bn2", width), _conv("conv3", width, width * 4, 1), _norm("bn3", width * 4), _act("relu"))))
        items.append(_Leaf("avgpool", "AdaptiveAvgPool2d(output_size=(1, 1))", "Pooling",
                           (("pool", "AVE"), ("global_pooling", True))))
        head_in = width * 4
    elif kind == "transformer":
        if plan.project.task == "classification":
            items.append(_conv("patch_embed", 3, width, 16, 16))
        else:
            items.append(_Leaf("word_embeddings", f"Embedding(30522, {width}, padding_idx=0)", "Embed",
                               (("input_dim", 30522), ("num_output", width))))
        items += [_Leaf("position_embeddings", f"Embedding(512, {width})", "Embed",
                        (("input_dim", 512), ("num_output", width))),
                  _norm("embed_norm", width, "layer"), _dropout("embed_dropout", p)]
        items.append(_Block("encoder", depth, "TransformerLayer", (
            _Leaf("attention", f"MultiheadAttention(embed_dim={width}, num_heads={max(1, width // 64)}, "
                  f"dropout={p:g})", "MultiHeadAttention", (("num_heads", max(1, width // 64)), ("dropout", p))),
            _norm("attention_norm", width, "layer"), _linear("intermediate", width, width * 4), _act("act", "GELU"),
            _linear("output", width * 4, width), _norm("output_norm", width, "layer"))))
        items += [_linear("pooler", width, width), _Leaf("pooler_act", "Tanh()", "TanH")]
    elif kind == "detector":
        items += [_conv("stem", 3, 64, 7, 2), _norm("stem_bn", 64), _act("relu")]
        items.append(_Block("backbone", depth, "Bottleneck", (
            _conv("conv1", width, width // 4, 1), _norm("bn1", width // 4), _conv("conv2", width // 4, width // 4, 3),
            _norm("bn2", width // 4), _conv("conv3", width // 4, width, 1), _act("relu"))))
        items += [_Leaf("fpn", f"FeaturePyramidNetwork(in_channels_list=[{width}, {width * 2}, {width * 4}], "
                        f"out_channels={width})", "FPN", (("num_output", width),)),
                  _conv("rpn_conv", width, width, 3), _conv("rpn_cls_logits", width, 9, 1),
                  _conv("rpn_bbox_pred", width, 36, 1),
                  _Leaf("roi_align", "MultiScaleRoIAlign(featmap_names=['0', '1', '2', '3'], output_size=(7, 7), "
                        "sampling_ratio=2)", "ROIAlign", (("pooled_h", 7), ("pooled_w", 7))),
                  _linear("fc6", width * 49, 1024), _linear("fc7", 1024, 1024)]
        head_in = 1024
    elif kind == "asr":
        items += [_conv("subsample_conv1", 1, width, 3, 2), _act("subsample_act1"),
                  _conv("subsample_conv2", width, width, 3, 2), _act("subsample_act2"),
                  _linear("subsample_out", width * 19, width)]
        items.append(_Block("blocks", depth, "ConformerBlock", (
            _linear("ff1", width, width * 4), _act("ff1_act", "SiLU"),
            _Leaf("self_attn", f"MultiheadAttention(embed_dim={width}, num_heads=4, dropout={p:g})",
                  "MultiHeadAttention", (("num_heads", 4), ("dropout", p))),
            _conv("depthwise_conv", width, width, 31, 1, width), _norm("conv_norm", width),
            _linear("ff2", width * 4, width), _norm("final_norm", width, "layer"))))
    else:  # mlp
        items += [_Leaf("sparse_embeddings", "EmbeddingBagCollection(tables=26, embedding_dim=64, mode='sum')",
                        "Embed", (("input_dim", 1000000), ("num_output", 64))),
                  _linear("bottom_mlp", 13, width), _act("bottom_act")]
        items.append(_Block("top_mlp", depth, "MLPBlock", (
            _linear("linear", width, width), _act("act"), _dropout("dropout", p))))
    if hp["extra_layer"]:
        items.append({
            "cnn": _Leaf("attn_pool", f"AttentionPool2d(embed_dim={head_in}, num_heads=8)", "Attention",
                         (("num_heads", 8),)),
            "transformer": _linear("pre_classifier", width, width),
            "detector": _dropout("box_dropout", 0.2),
            "asr": _linear("lm_adapter", width, width),
            "mlp": _Leaf("cross_net", f"CrossNet(in_features={width}, num_layers=3)", "Cross",
                         (("num_layers", 3),)),
        }[kind])
    if p > 0:
        items.append(_dropout("dropout", p))
    items.append(_linear("classifier" if kind != "asr" else "ctc_head", head_in, classes))
    if kind == "detector":
        items.append(_linear("bbox_pred", head_in, classes * 4))
    return items


def _torch_text(plan: _Plan) -> str:
    hp = plan.hp
    lines = [f"# {plan.name}: batch_size={hp['batch_size']} max_steps={hp['max_steps']} "
             f"precision={hp['precision']} schedule={hp['schedule']} warmup_steps={hp['warmup_steps']}",
             f"{plan.arch.root}("]
    for item in _layers(plan):
        if isinstance(item, _Leaf):
            lines.append(f"  ({item.name}): {item.torch}")
            continue
        head = f"(0-{item.count - 1}): {item.count} x {item.cls}(" if item.count > 1 else f"(0): {item.cls}("
        lines += [f"  ({item.name}): ModuleList(", f"    {head}"]
        lines += [f"      ({leaf.name}): {leaf.torch}" for leaf in item.leaves]
        lines += ["    )", "  )"]
    lines.append(")")
    name = {"adamw": "AdamW", "adam": "Adam", "sgd": "SGD"}[hp["optimizer"]]
    lines += ["", f"{name} (", "Parameter Group 0"]
    group = {"lr": hp["lr"], "weight_decay": hp["weight_decay"]}
    if hp["optimizer"] == "sgd":
        group.update(momentum=0.9, nesterov=True, dampening=0)
    else:
        group.update(betas=(0.9, 0.999), eps=1e-08, amsgrad=False)
    lines += [f"    {key}: {value}" for key, value in sorted(group.items())]
    lines.append(")")
    return "\n".join(lines) + "\n"


def _proto_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.isupper() else f'"{value}"'
    return f"{value:g}" if isinstance(value, float) else str(value)


def _input_dims(plan: _Plan) -> list[int]:
    """Batch first, then the sample's shape when it is one (3x224x224)."""
    shape = plan.project.input_desc.split("x")
    return [plan.hp["batch_size"]] + ([int(d) for d in shape] if all(d.isdigit() for d in shape) else [])


def _prototxt(plan: _Plan) -> str:
    hp = plan.hp
    policy = {"step": "multistep", "cosine": "cosine", "linear": "poly", "constant": "fixed"}[hp["schedule"]]
    lines = ["# solver", f"base_lr: {hp['lr']:g}", f'lr_policy: "{policy}"']
    lines += [f"stepvalue: {int(m * hp['max_steps'])}" for m in hp["milestones"]]
    if hp["schedule"] == "step":
        lines.append("gamma: 0.1")
    lines += [f"momentum: {0.9 if hp['optimizer'] == 'sgd' else 0.0:g}", f"weight_decay: {hp['weight_decay']:g}",
              f"max_iter: {hp['max_steps']}", f"snapshot: {hp['checkpoint_every']}",
              f'type: "{hp["optimizer"].upper()}"',
              "", "# net", f'name: "{plan.arch.root}"', 'input: "data"',
              f"input_shape {{ {' '.join(f'dim: {d}' for d in _input_dims(plan))} }}"]
    bottom = "data"

    def layer(name: str, leaf: _Leaf) -> None:
        nonlocal bottom
        lines.extend(["layer {", f'  name: "{name}"', f'  type: "{leaf.proto_type}"', f'  bottom: "{bottom}"',
                      f'  top: "{name}"'])
        if leaf.proto_params:
            params = " ".join(f"{k}: {_proto_value(v)}" for k, v in leaf.proto_params)
            lines.append(f"  {leaf.proto_type.lower()}_param {{ {params} }}")
        lines.append("}")
        bottom = name

    for item in _layers(plan):
        if isinstance(item, _Leaf):
            layer(item.name, item)
        else:
            for i in range(item.count):
                for leaf in item.leaves:
                    layer(f"{item.name}{i}_{leaf.name}", leaf)
    return "\n".join(lines) + "\n"


def _estimator_params(plan: _Plan) -> tuple[str, dict[str, Any]]:
    hp, framework = plan.hp, plan.arch.framework
    if framework == "scikit-learn":
        return "HistGradientBoostingClassifier", {
            "max_iter": hp["max_steps"], "learning_rate": hp["lr"], "max_depth": hp["max_depth"],
            "l2_regularization": hp["weight_decay"], "min_samples_leaf": hp["min_child_weight"] * 10,
            "early_stopping": False, "random_state": hp["seed"]}
    params: dict[str, Any] = {
        "n_estimators": hp["max_steps"], "learning_rate": hp["lr"],
        ("num_leaves" if framework == "LightGBM" else "max_depth"):
            2 ** hp["max_depth"] - 1 if framework == "LightGBM" else hp["max_depth"],
        "subsample": hp["subsample"], "colsample_bytree": hp["colsample"], "reg_lambda": hp["weight_decay"],
        ("min_child_samples" if framework == "LightGBM" else "min_child_weight"): hp["min_child_weight"],
        "random_state": hp["seed"]}
    if plan.arch.root == "XGBRanker":
        params = {"objective": "rank:ndcg", **params, "tree_method": "hist"}
    elif framework == "XGBoost":
        params = {"objective": "binary:logistic", **params, "tree_method": "hist", "eval_metric": ["logloss", "auc"]}
    return plan.arch.root, params


def _estimator_text(plan: _Plan) -> str:
    cls, params = _estimator_params(plan)
    steps = ["    ('impute', SimpleImputer(strategy='median')),",
             "    ('encode', OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1)),"]
    if plan.hp["extra_layer"]:
        steps.append(f"    ('select', SelectKBest(k={len(plan.family.features) * 3})),")
    lines = ["Pipeline(steps=[", *steps, f"    ('model', {cls}("]
    lines += [f"        {key}={value!r}," for key, value in params.items()]
    lines += ["    )),", "])"]
    return "\n".join(lines) + "\n"


def _config_data(plan: _Plan) -> dict[str, Any]:
    hp = plan.hp
    data = {"dataset": plan.dataset, "input": plan.project.input_desc, "num_workers": 8}
    if plan.is_trees:
        cls, params = _estimator_params(plan)
        out: dict[str, Any] = {"model": {"estimator": cls, **params}, "data": data}
        if hp["extra_layer"]:
            out["preprocess"] = {"select_k_best": len(plan.family.features) * 3}
        out["eval"] = {"every": hp["val_every"], "checkpoint_every": hp["checkpoint_every"]}
        return out
    model: dict[str, Any] = {"arch": plan.arch.name, "num_layers": hp["num_layers"], "hidden_size": hp["hidden_size"],
                             "dropout": hp["dropout"], "num_classes": len(plan.labels)}
    if hp["extra_layer"]:
        model["extra_layer"] = hp["extra_layer"]
    optimizer: dict[str, Any] = {"name": hp["optimizer"], "lr": hp["lr"], "weight_decay": hp["weight_decay"]}
    if hp["optimizer"] == "sgd":
        optimizer.update(momentum=0.9, nesterov=True)
    else:
        optimizer["betas"] = [0.9, 0.999]
    scheduler: dict[str, Any] = {"name": hp["schedule"], "warmup_steps": hp["warmup_steps"]}
    if hp["milestones"]:
        scheduler.update(milestones=[int(m * hp["max_steps"]) for m in hp["milestones"]], gamma=0.1)
    if hp["label_smoothing"]:
        model["label_smoothing"] = hp["label_smoothing"]
    return {
        "model": model,
        "data": {**data, "batch_size": hp["batch_size"]},
        "optimizer": optimizer,
        "scheduler": scheduler,
        "trainer": {"max_steps": hp["max_steps"], "precision": hp["precision"], "log_every": hp["log_every"],
                    "val_every": hp["val_every"], "checkpoint_every": hp["checkpoint_every"], "seed": hp["seed"]},
    }


def _config(plan: _Plan) -> Config:
    fmt = plan.family.config_format
    if fmt == "json":
        return Config("json", json.dumps(_config_data(plan), indent=2) + "\n")
    if fmt == "yaml":
        return Config("yaml", yaml.safe_dump(_config_data(plan), sort_keys=False, default_flow_style=False))
    if plan.is_trees:
        return Config("text", _estimator_text(plan))
    if plan.arch.framework == "PyTorch":
        return Config("text", _torch_text(plan))
    return Config("text", _prototxt(plan))
