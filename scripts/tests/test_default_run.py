"""The default run covers every task of every suite in it (issue: "a default that still covers every suite,
task and library"): with the data the default run reads (the generated corpus), each task a suite
describes lists benchmarks, unless the task names the flag that adds it (json's parse_bare: the
`--hotbench_bare=true` rows of `hotbench run --overhead`). Read from the built binaries' own descriptions,
so a new task or suite is covered without editing this test."""

import re

import pytest

from hotbench import describe, runner
from test_hang import BUILD, BUILT, missing


@pytest.mark.parametrize("suite", BUILT)
def test_every_task_has_benchmarks_in_the_default_run(suite):
    if suite is None:
        missing(f"no suite binary in {BUILD} (./hotbench test builds them)")
    found = runner.built_suites(BUILD)[suite]
    if not found.description.get("default_run", True):
        pytest.skip(f"the {suite} suite is not part of the default run")
    if found.default_data:
        runner.ensure_default_data(found)
    files = runner.discover(found.default_data, found.suffixes) if found.default_data else []
    described = describe.of_arguments(found.binary, [f"--hotbench_data={f}" for f in files]
                                      + ["--hotbench_profile=default"])
    empty = [t["name"] for t in described["tasks"]
             if not t.get("benchmarks") and not re.search(r"--hotbench_\w+", t.get("what", ""))]
    assert not empty, f"{suite}: tasks with no benchmark in the default run: {', '.join(empty)}"
