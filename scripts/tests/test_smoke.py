"""smoke.py's generic checks: a binary is held to its own description (the real binaries are smoked by
CTest, `hotbench smoke --suite NAME --binary PATH`); here each check is planted a defect it must name."""

from hotbench import smoke

DESCRIPTION = {
    "suite": "toy", "benchmarks": 2,
    "tasks": [{"name": "put", "benchmarks": 2, "implementations": ["a", "b:fast"], "datasets": ["d"]},
              {"name": "idle", "benchmarks": 0, "implementations": [], "datasets": []}],
    "metrics": [{"name": "iterations"}, {"name": "real_time_ns"}, {"name": "ops_per_s"}],
}
NAMES = ["toy/put/a/d", "toy/put/b:fast/d/real_time"]


def row(library, variant="", dataset="d", status="ok", **metrics):
    name = f"toy/put/{library}{':' + variant if variant else ''}/{dataset}"
    return {"benchmark": name, "suite": "toy", "task": "put", "library": library, "variant": variant,
            "dataset": dataset, "params": "", "threads": 1, "repetition": 0, "process": 0, "status": status,
            "error_message": "" if status == "ok" else "bad.toy: line 2: nonsense", "label": "",
            "iterations": 10, "real_time_ns": 5.0, **metrics}


def test_rows_that_match_their_description_pass():
    rows = [row("a", ops_per_s=1.0), row("b", "fast")]
    assert smoke.row_problems(rows, NAMES, DESCRIPTION, {}) == []


def test_a_number_the_description_does_not_declare_is_named():
    rows = [row("a", hidden_counter=3.0), row("b", "fast")]
    assert smoke.row_problems(rows, NAMES, DESCRIPTION, {}) == [
        "toy/put/a/d: column hidden_counter is not a metric the description declares"]


def test_counts_rows_and_implementations_must_agree_with_the_description():
    problems = smoke.row_problems([row("a")], NAMES + ["toy/put/c/d"], DESCRIPTION, {})
    assert "the description counts 2 benchmarks, the binary lists 3" in problems
    assert "toy/put/b:fast/d: no row" in problems and "toy/put/c/d: no row" in problems
    assert "put: no ok row of b:fast, an implementation the description names" in problems
    assert smoke.row_problems([], [], {**DESCRIPTION, "benchmarks": 0, "tasks": []}, {}) == [
        "the binary lists no benchmark: nothing was checked"]


def test_broken_data_files_must_give_error_rows_saying_where():
    rows = [row("a"), row("b", "fast"), row("a", dataset="bad", status="error")]
    assert smoke.row_problems(rows, NAMES, DESCRIPTION, {"bad": "bad.toy: line 2"}) == []
    assert smoke.row_problems(rows, NAMES, DESCRIPTION, {"bad": "bad.toy: line 3"}) == [
        "toy/put/a/bad: expected an error naming 'bad.toy: line 3', got error: bad.toy: line 2: nonsense"]
    assert "the broken data file gone gave no rows" in smoke.row_problems(rows, NAMES, DESCRIPTION, {"gone": "x"})
    rows[0] = row("a", status="error")
    assert "toy/put/a/d: error: bad.toy: line 2: nonsense" in smoke.row_problems(rows, NAMES, DESCRIPTION, {})
