"""`check -o FILE.md` and `gate -o FILE.md -o FILE.xml`: the Markdown summary beside the JUnit XML, one run."""

from hotbench import cli
from test_compare import make_rows, write_result
from test_gate import HEAVY, counters, counts  # noqa: F401 (counters is a fixture)


def test_check_writes_markdown_and_junit_together(tmp_path, capsys):
    baseline = write_result(tmp_path / "a", make_rows(seed=1, noise=0.001))
    current = write_result(tmp_path / "b", make_rows(seed=2, noise=0.001, scale={"json/parse/rapidjson/catalog": 1.5}))
    code = cli.main(["check", "--baseline", str(baseline), "--current", str(current), "-o", str(tmp_path / "c.md"),
                     "-o", str(tmp_path / "c.xml")])
    assert code == 1
    md = (tmp_path / "c.md").read_text()
    assert md.startswith("### hotbench check: FAIL: 1 regression(s) (exit 1)\n")
    assert "| REGRESSION | `json/parse/rapidjson/catalog` | slower: B/A 1.499" in md
    assert "<failure" in (tmp_path / "c.xml").read_text()
    # Any other suffix stays JUnit XML, as before.
    assert cli.main(["check", "--baseline", str(baseline), "--current", str(current), "-o",
                     str(tmp_path / "c.junit")]) == 1
    assert (tmp_path / "c.junit").read_text().startswith("<?xml")
    capsys.readouterr()


def test_gate_writes_markdown_and_junit_together(tmp_path, capsys, counters):
    counters(current_scale={HEAVY: 1.05})
    code = cli.main(["gate", "--baseline", str(counts(tmp_path / "baseline")), "-o", str(tmp_path / "gate.md"),
                     "-o", str(tmp_path / "gate.xml")])
    assert code == 1
    md = (tmp_path / "gate.md").read_text()
    assert "### hotbench check: FAIL: 1 regression(s) (exit 1)" in md and f"| REGRESSION | `{HEAVY}` |" in md
    assert "3 benchmarks checked: 2 pass, 1 regression(s)" in md
    assert (tmp_path / "gate.xml").read_text().count("<testcase") == 3
    capsys.readouterr()
