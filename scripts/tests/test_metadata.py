"""metadata.py: library versions from the binaries' context, and which settings make the workload."""

import pytest

from conftest import SYNTHETIC, setting, synthetic_description
from hotbench import describe, metadata


def test_libraries_from_hotbench_libraries_and_the_simdjson_kernels():
    context = {"hotbench_libraries": "libsimdjson-dev=3.1.5-1;rapidjson-dev=1.1.0+dfsg2-7.1;;broken",
               "simdjson_active_implementation": "haswell", "simdjson_ondemand_implementation": "haswell",
               "hotbench_suite": "json"}
    assert metadata.libraries(context) == {"libsimdjson-dev": "3.1.5-1", "rapidjson-dev": "1.1.0+dfsg2-7.1",
                                           "simdjson_active_implementation": "haswell",
                                           "simdjson_ondemand_implementation": "haswell"}


def test_libraries_of_an_older_binary_with_version_keys():
    context = {"simdjson_version": "3.0.1", "boost_version": "1_81", "simdjson_active_implementation": "icelake"}
    assert metadata.libraries(context) == {"simdjson": "3.0.1", "boost": "1_81",
                                           "simdjson_active_implementation": "icelake"}
    assert metadata.libraries({"hotbench_libraries": ""}) == {}


def context(settings="", **extra):
    return {"hotbench_suite": "toy", "hotbench_settings": settings, **extra}


TOY = synthetic_description("toy", settings=[setting("shapes", True), setting("seed", False, "1"),
                                             setting("watchdog_s", False, "10")])


def test_selecting_settings_come_from_the_description():
    out = metadata.workload("toy", context("shapes=square;watchdog_s=3"), description=TOY)
    assert out["toy settings"] == "watchdog_s=3"  # shapes only selects benchmarks: their names say which
    assert metadata.workload("toy", context("shapes=round"), description=TOY)["toy settings"] == "(defaults)"


def test_an_effective_value_in_the_context_is_compared_as_itself_not_as_a_setting():
    out = metadata.workload("toy", context("seed=7", toy_seed="7"), description=TOY)
    assert out["toy seed"] == "7" and out["toy settings"] == "(defaults)"
    # without the effective value, a changed seed is still a setting that must match
    assert metadata.workload("toy", context("seed=7"), description=TOY)["toy settings"] == "seed=7"


def test_without_a_description_every_setting_is_part_of_the_workload():
    out = metadata.workload("toy", context("shapes=square;seed=7", toy_seed="7"))
    assert out["toy settings"] == "seed=7, shapes=square" and "toy seed" not in out


def test_workloads_read_the_recorded_description_else_the_built_binary():
    recorded = {"suites": {"toy": {"benchmark_context": context("shapes=square"), "description": TOY}}}
    assert metadata.workloads(recorded)["toy settings"] == "(defaults)"
    unrecorded = {"suites": {"toy": {"benchmark_context": context("shapes=square")}}}
    assert metadata.workloads(unrecorded)["toy settings"] == "shapes=square"  # no toy binary is built
    # a Google Benchmark JSON file of the cache binary: conftest's built cache says policies only selects
    gbench_like = {"benchmark_context": {"hotbench_suite": "cache", "hotbench_settings": "policies=lru",
                                         "cache_seed": "42"}}
    assert SYNTHETIC["cache"]["settings"][0] == setting("policies", True)
    assert metadata.workloads(gbench_like) == {"cache seed": "42", "cache injected slowdown": "none",
                                               "cache settings": "(defaults)"}


def test_selects_flags_of_the_built_binaries(built_descriptions):
    for suite, d in built_descriptions.items():
        selecting = [s["key"] for s in d["settings"] if s["selects"]]
        given = ";".join(f"{k}=x" for k in selecting)
        assert metadata.workload(suite, {"hotbench_suite": suite, "hotbench_settings": given},
                                 description=d)[f"{suite} settings"] == "(defaults)"


@pytest.mark.parametrize("meta", [{}, {"benchmark_context": {"hotbench_suite": "json"}}])
def test_no_binary_is_run_for_contexts_without_settings(meta, monkeypatch):
    calls = []
    monkeypatch.setattr(describe, "all_built", lambda *a, **k: calls.append(1) or {})
    metadata.workloads(meta)
    assert calls == ([1] if meta else [])
