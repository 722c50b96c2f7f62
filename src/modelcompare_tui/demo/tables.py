"""The demo's data: projects with their architectures, labels and metrics, people,
GPUs, feature and tag names, expected quality per task, sample texts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class _Arch:
    name: str
    framework: str
    kind: str  # cnn | transformer | detector | asr | mlp | trees
    params_m: float  # at the default depth
    depth: int  # blocks / layers (trees: max depth)
    width: int  # channels / hidden size (trees: unused)
    root: str  # class name of the printed module / estimator


@dataclass(frozen=True)
class _Project:
    name: str
    task: str  # classification | detection | sentiment | asr | ranking | tabular
    short: str  # for model names
    dataset: str
    labels: tuple[str, ...]
    extra_labels: tuple[str, ...]  # a fine-tune may add one of these
    finetune_sets: tuple[tuple[str, str], ...]  # (dataset, name suffix)
    input_desc: str
    archs: tuple[_Arch, ...]


_ASR_LABELS = ("<blank>", "<space>", "'") + tuple("abcdefghijklmnopqrstuvwxyz")

PROJECTS: tuple[_Project, ...] = (
    _Project(
        "vision/detection", "detection", "coco", "coco-2017",
        ("background", "person", "bicycle", "car", "motorcycle", "bus", "truck", "traffic light", "stop sign"),
        ("scooter", "wheelchair"),
        (("city-streets-v2", "streets"), ("warehouse-cams-v1", "warehouse"), ("coco-2017+night", "night")),
        "3x800x1333",
        (
            _Arch("fasterrcnn-r50-fpn", "PyTorch", "detector", 41.8, 16, 256, "FasterRCNN"),
            _Arch("retinanet-r50", "PyTorch", "detector", 34.0, 16, 256, "RetinaNet"),
            _Arch("efficientdet-d1", "TensorFlow", "detector", 6.6, 8, 88, "EfficientDet"),
            _Arch("detr-r50", "JAX", "detector", 41.3, 6, 256, "DETR"),
        ),
    ),
    _Project(
        "vision/classification", "classification", "cifar10", "cifar-10",
        ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
        ("bus", "motorcycle"),
        (("cifar-10-clean", "clean"), ("cifar-10+web-crawl", "web"), ("cifar-10-augmix", "augmix")),
        "3x224x224",
        (
            _Arch("resnet50", "PyTorch", "cnn", 25.6, 16, 256, "ResNet"),
            _Arch("convnext-tiny", "PyTorch", "cnn", 28.6, 18, 192, "ConvNeXt"),
            _Arch("efficientnet-b0", "TensorFlow", "cnn", 5.3, 16, 112, "EfficientNet"),
            _Arch("vit-b16", "JAX", "transformer", 86.6, 12, 768, "VisionTransformer"),
        ),
    ),
    _Project(
        "nlp/sentiment", "sentiment", "reviews", "product-reviews-en",
        ("negative", "neutral", "positive"),
        ("mixed",),
        (("product-reviews-en-2025q1", "2025q1"), ("support-tickets-en", "tickets"), ("app-store-reviews", "appstore")),
        "seq_len=256",
        (
            _Arch("bert-base-uncased", "PyTorch", "transformer", 109.5, 12, 768, "BertForSequenceClassification"),
            _Arch("distilbert-base", "PyTorch", "transformer", 66.4, 6, 768, "DistilBertForSequenceClassification"),
            _Arch("roberta-base", "TensorFlow", "transformer", 124.6, 12, 768, "TFRobertaForSequenceClassification"),
            _Arch("t5-small-encoder", "JAX", "transformer", 35.3, 6, 512, "FlaxT5EncoderClassifier"),
        ),
    ),
    _Project(
        "speech/asr", "asr", "librispeech", "librispeech-960h",
        _ASR_LABELS,
        ("<unk>",),
        (("commonvoice-en-17", "cv17"), ("callcenter-8khz", "callcenter"), ("librispeech+noise", "noisy")),
        "80x3000 (log-mel)",
        (
            _Arch("conformer-ctc-small", "PyTorch", "asr", 13.2, 16, 176, "ConformerCTC"),
            _Arch("quartznet-15x5", "PyTorch", "asr", 18.9, 15, 256, "QuartzNet"),
            _Arch("deepspeech2", "TensorFlow", "asr", 38.0, 5, 800, "DeepSpeech2"),
            _Arch("wav2vec2-base", "JAX", "asr", 94.4, 12, 768, "FlaxWav2Vec2ForCTC"),
        ),
    ),
    _Project(
        "recsys/ranking", "ranking", "clicks", "clickstream-2025q1",
        ("no_click", "click", "add_to_cart", "purchase"),
        ("wishlist",),
        (("clickstream-2025q2", "q2"), ("clickstream-mobile", "mobile"), ("clickstream-dedup", "dedup")),
        "13 dense + 26 sparse features",
        (
            _Arch("dlrm", "PyTorch", "mlp", 540.0, 3, 512, "DLRM"),
            _Arch("dcn-v2", "TensorFlow", "mlp", 120.0, 3, 768, "DCNv2"),
            _Arch("two-tower", "JAX", "mlp", 60.0, 4, 256, "TwoTowerModel"),
            _Arch("lambdamart", "XGBoost", "trees", 0.0, 8, 0, "XGBRanker"),
        ),
    ),
    _Project(
        "tabular/churn", "tabular", "churn", "crm-snapshot-2025-04",
        ("stayed", "churned"),
        (),
        (("crm-snapshot-2025-05", "may"), ("crm-snapshot-eu", "eu"), ("crm-snapshot-balanced", "balanced")),
        "42 features",
        (
            _Arch("xgb-classifier", "XGBoost", "trees", 0.0, 6, 0, "XGBClassifier"),
            _Arch("hist-gbdt", "scikit-learn", "trees", 0.0, 5, 0, "HistGradientBoostingClassifier"),
            _Arch("lgbm-classifier", "LightGBM", "trees", 0.0, 7, 0, "LGBMClassifier"),
            _Arch("tabnet", "PyTorch", "mlp", 0.6, 3, 64, "TabNetClassifier"),
        ),
    ),
)

USERS = ("alice.martin", "bob.kowalski", "chen.wei", "dmitri.ivanov", "emma.schulz", "farid.haddad",
         "grace.ho", "hiroshi.sato")
GPUS = (("NVIDIA A100-SXM4-80GB", 81920), ("NVIDIA V100-SXM2-32GB", 32768), ("NVIDIA H100 80GB HBM3", 81559),
        ("NVIDIA RTX A6000", 49140), ("NVIDIA L4", 23034))
EXTRA_TAGS = ("candidate", "needs-review", "onnx", "augmented", "ablation", "long-run")
TREE_FEATURES = ("tenure_months", "monthly_charges", "total_charges", "contract_type", "support_calls_90d",
                 "payment_method", "num_products", "last_login_days", "discount_pct", "region", "age",
                 "avg_session_min")
RANK_FEATURES = ("ctr_7d", "price", "item_age_days", "user_ctr_30d", "category_match", "position", "brand_affinity",
                 "dwell_time_avg", "in_stock", "discount_pct", "review_score", "query_len")

# Quality ranges per task: value at skill -inf .. +inf (a fine-tune's skill is
# its parent's plus a step, so fine-tunes usually, not always, improve).
_QUALITY: dict[str, dict[str, tuple[float, float]]] = {
    "classification": {"acc": (0.78, 0.965)},
    "detection": {"map": (0.27, 0.51), "acc": (0.70, 0.93)},
    "sentiment": {"acc": (0.80, 0.945)},
    "asr": {"wer": (0.26, 0.045), "acc": (0.90, 0.985)},
    "ranking": {"ndcg": (0.33, 0.55), "auc": (0.71, 0.87), "acc": (0.52, 0.76)},
    "tabular": {"auc": (0.77, 0.93), "acc": (0.81, 0.92)},
}


_SENTENCE = ("the", "battery", "died", "after", "two", "days", "but", "support", "was", "great")


_REVIEWS = (
    ("The battery died after two days.", "negative"), ("Does what it says, nothing more.", "neutral"),
    ("Absolutely love it, buying another!", "positive"), ("Arrived late and the box was crushed.", "negative"),
    ("Decent value for the price.", "neutral"), ("Support fixed my issue in minutes.", "positive"),
    ("Stopped working after the update.", "negative"), ("Great screen, terrible speakers.", "neutral"),
)
_UTTERANCES = (
    "turn the lights off in the kitchen", "what is the weather in lisbon tomorrow", "call my sister on speaker",
    "add oat milk to the shopping list", "play the next episode", "set a timer for twelve minutes",
)
_QUERIES = ("running shoes", "usb-c charger", "espresso machine", "kids raincoat", "noise cancelling headphones")
