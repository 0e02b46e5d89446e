"""Scenarios from Python: reading, overriding, validating, printing, and errors that say where."""

from __future__ import annotations

import pytest

import cxsim


def test_from_file_reads_the_baseline(root):
    s = cxsim.Scenario.from_file(root / "scenarios" / "baseline.toml")
    assert s.params["market.population"] == 100000
    assert isinstance(s.params["purchase.price"], float)
    assert isinstance(s.params["run.seed"], int)
    assert s.path.endswith("baseline.toml")
    assert "[purchase]" in s.text
    assert [seg["name"] for seg in s.segments]


def test_str_is_resolved_toml_that_reads_back_to_the_same_parameters(small_toml):
    s = cxsim.Scenario.from_file(small_toml)
    text = str(s)
    assert "population = 3000" in text
    again = cxsim.Scenario.from_string(text)
    assert again.params == s.params
    assert again.segments == s.segments
    assert again == s


def test_with_overrides_takes_python_values_and_leaves_the_original_alone(small_toml):
    s = cxsim.Scenario.from_file(small_toml)
    t = s.with_overrides({"purchase.price": 45, "quality": {"defect_rate": 0.02}, "churn.enabled": False,
                          "network.kind": "ring"}, market__population=2000)
    assert t["purchase.price"] == 45.0
    assert t["quality.defect_rate"] == 0.02
    assert t["churn.enabled"] is False
    assert t["network.kind"] == "ring"
    assert t["market.population"] == 2000
    assert s["purchase.price"] == 50.0 and s["market.population"] == 3000
    assert "purchase.price=45" in t.overrides


def test_unknown_key_raises_scenario_error_with_key_and_suggestion(small_toml):
    s = cxsim.Scenario.from_file(small_toml)
    with pytest.raises(cxsim.ScenarioError) as info:
        s.with_overrides({"purchase.prize": 45})
    e = info.value
    assert isinstance(e, ValueError)
    assert e.key == "purchase.prize"
    assert "purchase.price" in str(e)


def test_out_of_range_value_is_rejected():
    with pytest.raises(cxsim.ScenarioError) as info:
        cxsim.Scenario.default().with_overrides({"quality.defect_rate": 1.5})
    assert info.value.key == "quality.defect_rate"


def test_file_errors_carry_file_line_column_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[market]\npopulation = 1000\n\n[purchase]\nprice = \"cheap\"\n")
    with pytest.raises(cxsim.ScenarioError) as info:
        cxsim.Scenario.from_file(bad)
    e = info.value
    assert e.file == str(bad)
    assert e.line == 5
    assert e.column is not None and e.column >= 1
    assert e.key == "purchase.price"
    assert str(e).startswith(f"{bad}:5:")


def test_syntax_error_and_missing_file():
    with pytest.raises(cxsim.ScenarioError) as info:
        cxsim.Scenario.from_string("[market\npopulation = 3", path="inline.toml")
    assert info.value.file == "inline.toml" and info.value.line == 1
    with pytest.raises(cxsim.ScenarioError) as info:
        cxsim.Scenario.from_file("/nonexistent/scenario.toml")
    assert info.value.file == "/nonexistent/scenario.toml"


def test_validate_returns_an_estimate(small_toml):
    estimate = cxsim.Scenario.from_file(small_toml).validate(threads=2)
    assert estimate["customer_days"] == 3000 * 120 * 3
    assert estimate["memory_bytes"] > 0
    with pytest.raises(cxsim.ScenarioError):
        cxsim.Scenario.default().with_overrides({"market.population": 200_000_000,
                                                  "run.replications": 100000}).validate()


def test_registries_are_tables():
    params = cxsim.parameters()
    assert params.loc["purchase.price", "unit"] == "currency/order"
    assert params.loc["purchase.price", "default"] == 50.0
    metrics = cxsim.metrics()
    assert metrics.loc["active_customers", "kind"] == "stock"
    assert metrics.loc["revenue", "kind"] == "flow"


def test_help_tells_a_newcomer_what_to_pass():
    doc = cxsim.run.__doc__
    for word in ("scenario", "replications", "threads", "seed", "progress", "KeyboardInterrupt", "Results"):
        assert word in doc
    assert cxsim.Scenario.with_overrides.__doc__ and cxsim.Results.series.__doc__


def test_segment_names_are_one_line_of_text():
    """A name with a line break went into the comment of a calibrated scenario and broke its TOML."""
    text = ('[[segment]]\nname = "a\\nb"\nshare = 0.5\n[[segment]]\nname = "c"\nshare = 0.5\n')
    with pytest.raises(cxsim.ScenarioError, match="must not hold control characters"):
        cxsim.Scenario.from_string(text)
