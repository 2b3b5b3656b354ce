"""benchmarks.synth: the synthetic cases are distinct, varied, and every one is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.synth import case_id, load_samples_module, variant, write_cases
from pipeline.read.validate import load_case

SAMPLES = load_samples_module()
COUNT = 2 * len(SAMPLES.SAMPLE_BUILDERS)  # every sample, with and without the extra creditor


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[Path]:
    return write_cases(tmp_path_factory.mktemp("bench"), COUNT)


def test_every_variant_is_valid_with_its_own_case_id(written):
    loaded = [load_case(path) for path in written]
    errors = {p.name: [i.code for i in issues if i.severity == "error"]
              for p, (_, issues) in zip(written, loaded)}
    assert errors == {p.name: [] for p in written}
    assert [case.case_id for case, _ in loaded] == [case_id(i) for i in range(1, COUNT + 1)]


def test_variants_differ_in_creditors_household_and_amounts():
    variants = [variant(SAMPLES, i) for i in range(1, COUNT + 1)]
    assert len({v.case["債務者氏名"] for v in variants}) > 9
    base = [SAMPLES.SAMPLE_BUILDERS[i % len(SAMPLES.SAMPLE_BUILDERS)]() for i in range(1, COUNT + 1)]
    extra = [len(v.creditors) - len(b.creditors) for v, b in zip(variants, base)]
    assert set(extra) == {0, 1}
    assert {len(v.members) - len(b.members) for v, b in zip(variants, base)} >= {-1, 0, 1}
    assert {len(v.budget) - len(b.budget) for v, b in zip(variants, base)} == {0, 2, 4, 6}
    assert any(v.case["売却価格"] != b.case["売却価格"] for v, b in zip(variants, base))


def test_a_lender_holding_two_liens_keeps_one_name():
    """2026-0166: one bank holds 順位 1 and 2, so it gets one letter; the variant keeps that."""
    n = len(SAMPLES.SAMPLE_BUILDERS)
    index = next(i for i in range(1, n + 1) if SAMPLES.SAMPLE_BUILDERS[i % n].__name__.endswith("0166"))
    ranked = [r for r in variant(SAMPLES, index).creditors if r.get("順位") in (1, 2)]
    assert len(ranked) == 2 and ranked[0]["債権者名"] == ranked[1]["債権者名"]


def test_junior_lien_goes_below_the_lowest_rank():
    index = 1  # index % 4 == 1 adds a junior 抵当権
    rows = variant(SAMPLES, index).creditors
    ranks = [int(r["順位"]) for r in rows if r.get("順位") is not None]
    assert ranks[-1] == max(ranks) and ranks.count(ranks[-1]) == 1
