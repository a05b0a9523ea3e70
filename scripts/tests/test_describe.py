"""`hotbench describe` and the generated tables of docs/results-format.md, checked against the binaries."""

import pytest

from conftest import metric, setting, synthetic_description
from hotbench import cli, describe
from hotbench.errors import HotbenchError


def test_the_documented_tables_are_what_the_built_binaries_describe(built_descriptions):
    documented = describe.documented_parts(describe.DOC.read_text())
    for part, text in describe.markdown_parts(describe.documented(built_descriptions)).items():
        assert part in documented, (f"{describe.DOC} has no generated region for {part}: add "
                                    f"{describe.begin_marker(part)} ... {describe.end_marker(part)}")
        assert documented[part] == text, (f"{describe.DOC}: the tables of {part} differ from what the binaries "
                                          "describe: run `./hotbench describe --update-doc`")


def test_markdown_round_trips_and_escapes():
    d = synthetic_description("toy", [metric("a|b", "x|y", "lower", "time")], [setting("seed", False, "42")])
    parts = describe.markdown_parts({"toy": d})
    assert set(parts) == {"harness", "toy"}
    assert "| `a\\|b` | x\\|y | lower | time |" in parts["toy"]
    assert "| `seed` | integer | `42` | anything |  | seed |" in parts["toy"]
    assert "`a|b`" not in parts["harness"] and "| `real_time_ns` | ns per operation | lower | time |" in parts["harness"]
    assert describe.documented_parts("intro\n" + describe.markdown({"toy": d}) + "outro\n") == parts


def test_suites_out_of_the_default_run_are_not_documented():
    fixture = dict(synthetic_description("fixture"), default_run=False)
    assert list(describe.documented({"toy": synthetic_description("toy"), "fixture": fixture})) == ["toy"]


def test_update_doc_rewrites_only_the_generated_regions():
    old = synthetic_description("toy", [metric("a", "s", "lower", "time")])
    new = synthetic_description("toy", [metric("a", "ms", "lower", "time")])
    document = "# Title\n\nprose\n\n" + describe.markdown({"toy": old}) + "\nmore prose\n"
    updated = describe.updated_document(document, {"toy": new})
    assert updated == "# Title\n\nprose\n\n" + describe.markdown({"toy": new}) + "\nmore prose\n"
    with pytest.raises(describe.HotbenchError, match="no generated region for other"):
        describe.updated_document(document, {"toy": new, "other": synthetic_description("other")})


def test_describe_prints_each_suite(built_descriptions, capsys):
    suite = next(iter(built_descriptions))
    assert cli.main(["describe", "--suite", suite]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{suite}: ") and "  metrics (name, unit" in out and "real_time_ns" in out
    assert cli.main(["describe", "--suite", suite, "--markdown"]) == 0
    out = capsys.readouterr().out
    assert describe.begin_marker(suite) in out and describe.begin_marker("harness") in out


def test_describe_without_binaries_or_with_an_unknown_suite_is_a_usage_error(tmp_path, capsys, built_descriptions):
    assert cli.main(["describe", "--build-dir", str(tmp_path)]) == 4
    assert "no suite binary (hotbench_<suite>) built here" in capsys.readouterr().err
    assert cli.main(["describe", "--suite", "no_such_suite"]) == 4
    assert "no suite binary for no_such_suite" in capsys.readouterr().err


@pytest.mark.parametrize("meta, expected", [
    ({}, {}),
    ({"suites": {"q": {"benchmark_context": {}}}}, {}),
    ({"suites": {"q": {"description": {"suite": "q", "metrics": []}}}}, {"q": {"suite": "q", "metrics": []}}),
])
def test_recorded_descriptions(meta, expected):
    assert describe.recorded(meta) == expected


def test_data_suffixes_of_several_parts_and_dataset_names(tmp_path):
    """As the binaries' harness decides (bench/harness/describe.cpp): the longest suffix a name ends with,
    and the dataset name without it; the runner routes --data files and names datasets with these."""
    from hotbench import runner

    suffixes = (".csv", ".txt", ".oracleGeneral", ".oracleGeneral.bin", ".oracleGeneral.zst", ".oracleGeneral.bin.zst")
    assert describe.data_suffix(tmp_path / "x.oracleGeneral.bin.zst", suffixes) == ".oracleGeneral.bin.zst"
    assert describe.dataset_name(tmp_path / "x.oracleGeneral.bin.zst", suffixes) == "x"
    assert describe.dataset_name(tmp_path / "cloudPhysicsIO.oracleGeneral.bin", suffixes) == "cloudPhysicsIO"
    assert describe.data_suffix(tmp_path / "x.bin.zst", suffixes) == ""
    assert describe.data_suffix(tmp_path / ".csv", suffixes) == ""
    for name in ("a.oracleGeneral.bin.zst", "b.txt", "c.zst"):
        (tmp_path / name).write_bytes(b"1")
    assert [f.name for f in runner.discover([tmp_path], suffixes)] == ["a.oracleGeneral.bin.zst", "b.txt"]
    with pytest.raises(HotbenchError, match="c.zst: not a dataset"):
        runner.discover([tmp_path / "c.zst"], suffixes)
