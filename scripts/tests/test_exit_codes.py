"""Every exit code of `check` and `gate`, end to end through cli.main, and never a traceback:
0 pass, 1 regression (or missing benchmark), 2 unresolved / cannot tell, 3 unreadable or invalid input,
4 usage error, 5 set-up failure or a bug in hotbench."""

import json

import pytest

from hotbench import cli, compare, gate
from test_compare import META, make_rows, write_result
from test_gate import HEAVY, counts

SLOW = "json/parse/rapidjson/catalog"


def main(capsys, *argv):
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as e:  # argparse's own exits (--help) go through SystemExit
        code = e.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def results(tmp_path):
    r = {"baseline": write_result(tmp_path / "baseline", make_rows(seed=1), META),
         "same": write_result(tmp_path / "same", make_rows(seed=2), META),
         "slower": write_result(tmp_path / "slower", make_rows(seed=2, scale={SLOW: 1.3}), META),
         "noisy": write_result(tmp_path / "noisy", make_rows(seed=2, reps=2), META),
         "fewer": write_result(tmp_path / "fewer", make_rows(seed=2, only=[SLOW]), META)}
    bad_csv = write_result(tmp_path / "bad-csv", make_rows(seed=2), META)
    (bad_csv / "results.csv").write_text("benchmark,status\n\"unterminated,ok\n")
    bad_meta = write_result(tmp_path / "bad-meta", make_rows(seed=2), META)
    (bad_meta / "metadata.json").write_text("{\"machine\": [1, 2]")
    r.update(bad_csv=bad_csv, bad_meta=bad_meta)
    (tmp_path / "bad.toml").write_text("[[overrides]]\npattern = 'x'\nignore = 'yes'\n")
    r["bad_policy"] = tmp_path / "bad.toml"
    return r


@pytest.mark.parametrize("current, extra, expected", [
    ("same", [], 0),
    ("slower", [], 1),
    ("fewer", [], 1),  # a baseline benchmark missing
    ("noisy", [], 2),
    ("bad_csv", [], 3),
    ("bad_meta", [], 3),
    ("same", ["--policy", "bad_policy"], 3),
    ("same", ["--metric", "no_such_metric"], 3),
    ("same", ["--no-such-flag"], 4),
    ("same", ["--metric"], 4),  # a flag without its value
])
def test_check_exit_codes(capsys, results, current, extra, expected):
    extra = [results.get(a, a) for a in extra]
    code, out, err = main(capsys, "check", "--baseline", results["baseline"], "--current", results[current], *extra)
    assert code == expected
    if expected <= 2:
        assert out.rstrip().endswith(f"(exit {expected})") and err == ""
    elif expected == 3:
        assert out == "" and len(err.strip().splitlines()) == 1 and err.startswith("hotbench: error: ")
    else:
        # argparse: the usage (may wrap), then one error line
        assert err.startswith("usage: hotbench") and err.strip().splitlines()[-1].startswith("hotbench")
        assert ": error: " in err.strip().splitlines()[-1]


def test_check_without_required_flags_is_usage(capsys):
    code, _, err = main(capsys, "check", "--baseline", "x")
    assert code == 4 and "the following arguments are required: --current" in err


def test_unknown_subcommand_is_usage(capsys):
    assert main(capsys, "chek")[0] == 4


def test_a_bug_is_exit_5_in_one_line(capsys, results, monkeypatch):
    def broken(*a, **kw):
        raise ZeroDivisionError("planted")
    monkeypatch.setattr(compare, "match", broken)
    code, out, err = main(capsys, "check", "--baseline", results["baseline"], "--current", results["same"])
    assert code == 5 and len(err.strip().splitlines()) == 1 and "internal error: ZeroDivisionError: planted" in err


def test_interrupt_is_130_without_traceback(capsys, results, monkeypatch):
    def interrupted(*a, **kw):
        raise KeyboardInterrupt
    monkeypatch.setattr(compare, "match", interrupted)
    code, _, err = main(capsys, "check", "--baseline", results["baseline"], "--current", results["same"])
    assert code == 130 and err.strip() == "hotbench: interrupted"


# ---------------------------------------------------------------- gate

@pytest.fixture
def counted(tmp_path, monkeypatch):
    """gate with its counting step injected: `scale` plants a change in the current counts."""
    def install(scale=None, errors=(), raises=None):
        def count_current(results):
            if raises:
                raise raises
            results.mkdir(parents=True)
            return counts(results / "run", scale, errors=errors)
        monkeypatch.setattr(gate, "count_current", count_current)
        monkeypatch.setattr(gate, "count_at", lambda ref, results: (_ for _ in ()).throw(
            gate.CannotTell("planted: cannot build")))
    return install


@pytest.mark.parametrize("case, expected", [
    ("pass", 0), ("regression", 1), ("errored count", 2), ("not comparable, cannot build", 2),
    ("no baseline", 3), ("malformed baseline", 3), ("malformed policy", 3), ("unknown flag", 4),
    ("bug", 5), ("current build fails", 2),
])
def test_gate_exit_codes(tmp_path, capsys, counted, case, expected):
    baseline = counts(tmp_path / "baseline")
    argv = ["gate", "--baseline", baseline]
    counted(scale={HEAVY: 1.05} if case == "regression" else None,
            errors=[HEAVY] if case == "errored count" else (),
            raises={"bug": RuntimeError("planted"),
                    "current build fails": gate.CannotTell("cannot tell: counting the current build failed")}.get(case))
    if case == "not comparable, cannot build":
        meta = json.loads((baseline / "metadata.json").read_text())
        meta["build"]["compiler"] = "11.3.0"
        (baseline / "metadata.json").write_text(json.dumps(meta))
    elif case == "no baseline":
        argv[-1] = tmp_path / "none"
    elif case == "malformed baseline":
        (baseline / "metadata.json").write_text("not json")
    elif case == "malformed policy":
        (tmp_path / "p.toml").write_text("confidence = 1.5\n")
        argv += ["--policy", tmp_path / "p.toml"]
    elif case == "unknown flag":
        argv += ["--no-such-flag", "1"]
    code, out, err = main(capsys, *argv)
    assert code == expected
    if expected in (0, 1) or case == "errored count":
        assert f"(exit {expected})" in out
    else:
        assert len([line for line in err.splitlines() if not line.startswith("usage:")]) == 1
