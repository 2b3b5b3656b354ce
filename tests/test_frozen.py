"""The one frozen base model (pipeline/frozen.py) under the case, the configuration and the figures."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

import pipeline.compute.figures
import pipeline.config
import pipeline.read.models
from pipeline.frozen import Frozen

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
MODULES = (pipeline.read.models, pipeline.config, pipeline.compute.figures)


def models() -> list[type[BaseModel]]:
    return [c for m in MODULES for c in vars(m).values()
            if inspect.isclass(c) and issubclass(c, BaseModel) and c.__module__ == m.__name__]


@pytest.mark.parametrize("model", models(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_model_is_frozen_and_forbids_unknown_fields(model):
    assert issubclass(model, Frozen)
    assert model.model_config["frozen"] is True and model.model_config["extra"] == "forbid"


def test_model_config_is_declared_once():
    found = sorted(str(p.relative_to(PIPELINE)) for p in PIPELINE.rglob("*.py")
                   if "model_config" in p.read_text("utf-8") and p.name != "frozen.py")
    assert found == []


def test_a_frozen_model_refuses_change_and_typos():
    company = pipeline.config.Company(name="A", address="B", phone="C", license_no="D",
                                      representative="E")
    with pytest.raises(ValidationError):
        company.name = "X"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        pipeline.config.Company(name="A", address="B", phone="C", license_no="D",
                                representative="E", fxa="F")  # type: ignore[call-arg]
