"""Save and load a trained engine as data: ``metadata.json`` plus ``arrays.npz``, never a pickle.

A model belongs to the exact packs it was trained from: loading it next to other packs (a
different digest) is refused, because its labels and vocabulary would silently disagree with them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..pack.loader import PackSet
from .classifier import ClassifierConfig
from .engine import EngineConfig, NluEngine
from .features import FeatureConfig
from .safety import domain_examples
from .training_data import training_data

MODEL_FORMAT_VERSION = 3  # bump when the files' layout changes, independent of the package version
# 2: the safety check's own features and classifier (``safety_*``); 3: and the coverage model's
# usual novelty per label (``coverage_usual``)


class ModelMismatchError(Exception):
    """The saved model does not belong to these packs or to this version of the format."""


def save_engine(engine: NluEngine, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    feature_meta, feature_arrays = engine.featurizer.state()
    safety_meta, safety_arrays = engine.safety.featurizer.state()
    metadata: dict[str, Any] = {
        "format_version": MODEL_FORMAT_VERSION,
        "package_version": __version__,
        "pack_digest": engine.packs.digest,
        "config": {
            "features": asdict(engine.config.features),
            "classifier": asdict(engine.config.classifier),
        },
        "labels": engine.classifier.labels,
        "safety_labels": engine.safety.classifier.labels,
        "safety_features": safety_meta,
        "coverage_usual": engine.coverage.usual,
        "features": feature_meta,
    }
    (folder / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    np.savez(
        folder / "arrays.npz",
        coef=engine.classifier.coef,
        intercept=engine.classifier.intercept,
        word_idf=feature_arrays["word_idf"],
        char_idf=feature_arrays["char_idf"],
        safety_word_idf=safety_arrays["word_idf"],
        safety_char_idf=safety_arrays["char_idf"],
        safety_coef=engine.safety.classifier.coef,
        safety_intercept=engine.safety.classifier.intercept,
    )


def load_engine(folder: Path, packs: PackSet) -> NluEngine:
    """Raises :class:`ModelMismatchError` for another pack digest or format, ``FileNotFoundError``
    when the folder holds no model."""
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    if metadata.get("format_version") != MODEL_FORMAT_VERSION:
        raise ModelMismatchError(
            f"model format {metadata.get('format_version')} in {folder}, this version reads {MODEL_FORMAT_VERSION}: retrain"
        )
    if metadata.get("pack_digest") != packs.digest:
        raise ModelMismatchError(
            f"the model in {folder} was trained from other packs: retrain with `madoguchi train`"
        )
    config = metadata["config"]
    features = config["features"]
    engine_config = EngineConfig(
        features=FeatureConfig(
            word_ngrams=(int(features["word_ngrams"][0]), int(features["word_ngrams"][1])),
            char_ngrams=(int(features["char_ngrams"][0]), int(features["char_ngrams"][1])),
            char_weight=float(features["char_weight"]),
            min_df=int(features["min_df"]),
        ),
        classifier=ClassifierConfig(**config["classifier"]),
    )
    engine = NluEngine(packs, engine_config)
    with np.load(folder / "arrays.npz", allow_pickle=False) as arrays:
        engine.featurizer.restore(metadata["features"], {k: arrays[k] for k in ("word_idf", "char_idf")})
        engine.classifier.set_weights(list(metadata["labels"]), arrays["coef"], arrays["intercept"])
        engine.safety.featurizer.restore(
            metadata["safety_features"],
            {"word_idf": arrays["safety_word_idf"], "char_idf": arrays["safety_char_idf"]},
        )
        engine.safety.classifier.set_weights(
            list(metadata["safety_labels"]), arrays["safety_coef"], arrays["safety_intercept"]
        )
    # coverage is rebuilt from the packs (the same packs, the same words), from the examples the
    # domain model was fitted on: without the safety intents', as in NluEngine.fit
    data = domain_examples(training_data(packs))
    usual = {str(k): float(v) for k, v in metadata.get("coverage_usual", {}).items()}
    engine.fit_coverage([engine.prepare(t) for t in data.texts], data.labels, usual)
    engine._index_labels()
    return engine
