"""The CI recipe (docs/ci/github-actions.yml, docs/ci.md) runs as written: every `run:` command of the workflow
is executed here, job by job in the order CI runs them (main's push first, whose counts the pull request then
reuses), in scratch clones of this repository, with the variables GitHub provides set to test values. A
`uses:` step (GitHub's own actions) cannot run here: each is listed in NOT_RUN with what stands in for it,
and a step of a kind this test does not know fails it.

The smallest real set-up: the scratch repository's main commit builds only the fixture suite (docs/adding.md:
a suite is one line of CMakeLists.txt), so that ./hotbench configures, builds (from this machine's compiler
cache) and counts one small suite instead of all of them; every command is otherwise the workflow's own."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "docs" / "ci" / "github-actions.yml"
# The jobs in the order CI runs them, each with the event that runs it (its `if:`, checked below).
JOBS = {"main": ("push", "main"), "pull-request": ("pull_request", "7/merge")}
NOT_RUN = {
    "actions/checkout@v4": "GitHub's action; the test clones the scratch origin itself: main (shallow, as the "
                           "action's default) for the push, the pull request's commit detached with the whole "
                           "history (fetch-depth: 0) for the pull request",
    "actions/cache@v4": "GitHub's cache service; the ccache folder is this machine's own compiler cache",
    "actions/cache/restore@v4": "GitHub's cache service; the history folder is one scratch folder, kept from "
                                "the main job to the pull request's, as the cache carries it",
    "actions/cache/save@v4": "GitHub's cache service (see restore); the test checks the folder it saves exists",
    "actions/upload-artifact@v4": "GitHub's artifact storage; the test checks that every path it uploads exists",
}
pytestmark = pytest.mark.late  # ./hotbench test runs it once the ASan tests are done (conftest.py)
KEPT_SUITE = "fixture"  # the scratch main builds only this suite: every other hotbench_add_suite line is removed


# ---------------------------------------------------------------- the workflow's YAML (the subset it uses)

def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _skip(lines: list[str], i: int) -> int:
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        i += 1
    return i


def _scalar(text: str) -> str:
    text = re.sub(r"\s+#.*$", "", text) if not text.startswith(("'", '"')) else text
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _node(lines, i, indent):
    i = _skip(lines, i)
    return (_sequence if lines[i].lstrip().startswith("- ") else _mapping)(lines, i, _indent(lines[i]))


def _mapping(lines, i, indent):
    out = {}
    while (i := _skip(lines, i)) < len(lines) and _indent(lines[i]) == indent \
            and not lines[i].lstrip().startswith("- "):
        key, colon, rest = lines[i].strip().partition(":")
        assert colon and key not in out, f"{WORKFLOW}:{i + 1}: not a mapping entry this reader knows"
        rest, i = rest.strip(), i + 1
        if rest in ("|", "|-"):
            block = []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > indent):
                block.append(lines[i])
                i += 1
            depth = min(_indent(b) for b in block if b.strip())
            out[key] = "\n".join(b[depth:] for b in block).strip("\n") + "\n"
        elif rest:
            assert rest[0] not in ">&*!{", f"{WORKFLOW}:{i}: YAML this reader does not know: {rest}"
            out[key] = _scalar(rest)
        else:
            j = _skip(lines, i)
            nested = j < len(lines) and (_indent(lines[j]) > indent or lines[j].lstrip().startswith("- "))
            out[key], i = _node(lines, j, indent) if nested else (None, i)
    return out, i


def _sequence(lines, i, indent):
    out = []
    while (i := _skip(lines, i)) < len(lines) and _indent(lines[i]) == indent and lines[i].lstrip().startswith("- "):
        lines[i] = " " * (indent + 2) + lines[i].lstrip()[2:]  # the item's first entry, at its entries' indent
        item, i = _node(lines, i, indent + 2)
        out.append(item)
    return out, i


def read_workflow(path: pathlib.Path = WORKFLOW) -> dict:
    """The workflow as nested dicts and lists of strings (block mappings and sequences, plain, quoted and
    literal `|` scalars: what the recipe uses; anything else fails here rather than being misread)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    workflow, end = _mapping(lines, _skip(lines, 0), 0)
    assert _skip(lines, end) == len(lines), f"{path}:{end + 1}: not read"
    return workflow


def test_the_reader_reads_what_the_recipe_uses(tmp_path):
    (tmp_path / "w.yml").write_text("a: 1  # why\nb:\n  - name: x\n    run: |\n      one\n\n      two\n"
                                    "  - uses: y@v1\n    with:\n      k: 'q # r'\nc: [main]\n")
    assert read_workflow(tmp_path / "w.yml") == {
        "a": "1", "b": [{"name": "x", "run": "one\n\ntwo\n"}, {"uses": "y@v1", "with": {"k": "q # r"}}],
        "c": "[main]"}


# ---------------------------------------------------------------- the scratch repository

def git(repo, *args) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def scratch_origin(tmp: pathlib.Path) -> pathlib.Path:
    """A bare origin with `main` (this repository as its working tree is, building only the fixture suite,
    its policy without the json suite's threshold) and `feature` (a pull request on top of it)."""
    src = tmp / "src"
    git(tmp, "clone", "-q", str(ROOT), str(src))
    diff = subprocess.run(["git", "-C", str(ROOT), "diff", "HEAD", "--binary"], check=True, capture_output=True).stdout
    if diff:
        subprocess.run(["git", "-C", str(src), "apply", "--index", "-"], input=diff, check=True)
    for name in git(ROOT, "ls-files", "--others", "--exclude-standard").splitlines():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    cmake = (src / "CMakeLists.txt").read_text()
    assert re.search(rf"^hotbench_add_suite\({KEPT_SUITE}\)", cmake, flags=re.M), f"no suite {KEPT_SUITE}"
    cmake, found = re.subn(rf"^hotbench_add_suite\((?!{KEPT_SUITE}\)).*\n", "", cmake, flags=re.M)
    assert found >= 4, "CMakeLists.txt adds fewer suites than json, cache, queue and serial"
    (src / "CMakeLists.txt").write_text(cmake)
    policy, found = re.subn(r"^number_mismatches = .*\n", "", (src / "results" / "gate.toml").read_text(), flags=re.M)
    assert found == 1, "results/gate.toml has no number_mismatches threshold any more: update this test"
    (src / "results" / "gate.toml").write_text(policy)  # the json suite's metric: unknown without it
    git(src, "add", "-A")
    git(src, "commit", "-q", "-m", "the working tree, building only the fixture suite")
    git(src, "checkout", "-q", "-B", "main")
    git(src, "checkout", "-q", "-b", "feature")
    (src / "docs" / "ci.md").write_text((src / "docs" / "ci.md").read_text() + "\nA pull request.\n")
    git(src, "commit", "-q", "-am", "a pull request")
    git(src, "checkout", "-q", "main")
    git(tmp, "clone", "-q", "--bare", str(src), str(tmp / "origin.git"))
    return tmp / "origin.git"


def checkout(origin: pathlib.Path, job: str, workspace: pathlib.Path) -> None:
    """What actions/checkout leaves for each job."""
    if job == "main":
        git(workspace.parent, "clone", "-q", "--depth", "1", "-b", "main", f"file://{origin}", str(workspace))
    else:
        git(workspace.parent, "clone", "-q", str(origin), str(workspace))
        git(workspace, "checkout", "-q", "--detach", "origin/feature")


# ---------------------------------------------------------------- running the recipe

def steps_of(workflow: dict, job: str, event: str) -> list[dict]:
    spec = workflow["jobs"][job]
    assert spec["if"] == f"github.event_name == '{event}'", f"job {job}: a condition this test does not know"
    assert spec["container"] == "debian:12"
    for step in spec["steps"]:
        assert ("run" in step) != ("uses" in step), f"job {job}: a step with neither or both of run and uses"
        if "uses" in step:
            assert step["uses"] in NOT_RUN, f"job {job}: {step['uses']}: a `uses:` step this test does not know"
        assert step.get("if") in (None, "always()"), f"job {job}: a step condition this test does not know"
    return spec["steps"]


def uploaded(step: dict, cache: pathlib.Path, workspace: pathlib.Path) -> list[pathlib.Path]:
    """The paths an upload or cache-save step names, in the test's folders."""
    paths = [p.strip() for p in step["with"]["path"].splitlines() if p.strip()]
    return [workspace / p.replace(CACHE_ROOT, str(cache)) for p in paths]


WORKFLOW_ENV = read_workflow()["env"]
CACHE_ROOT = "/var/cache/hotbench"  # where the workflow keeps what its caches carry; a scratch folder here


def ccache_dir() -> str:
    """This machine's compiler cache: the one every build here fills, so that the scratch clones hit it."""
    found = subprocess.run(["ccache", "-k", "cache_dir"], capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else str(ROOT / "build" / "ccache")


@pytest.mark.skipif(not shutil.which("valgrind") or not shutil.which("cmake"),
                    reason="needs valgrind and cmake (./hotbench test installs them)")
def test_every_run_command_of_the_recipe_runs_here(tmp_path):
    workflow = read_workflow()
    assert list(workflow["jobs"]) == list(JOBS), "a job this test does not know, or in another order"
    # The workflow's variables: each replaced by a test value (a new one fails here, to be given one).
    assert set(WORKFLOW_ENV) == {"CCACHE_DIR", "HOTBENCH_HISTORY"}
    assert all(value.startswith(CACHE_ROOT + "/") for value in WORKFLOW_ENV.values())
    cache = tmp_path / "var-cache-hotbench"
    env_values = {"CCACHE_DIR": ccache_dir(),  # this machine's compiler cache: the clones' builds hit it
                  # and its .deb cache (cmake/Dependencies.cmake), which HOME below would otherwise hide: the
                  # clones' configures unpack the debs without downloading them (2 CPU-s each, and a network)
                  "HOTBENCH_DEB_CACHE": os.environ.get("HOTBENCH_DEB_CACHE")
                                        or str(pathlib.Path.home() / ".cache" / "hotbench" / "debs"),
                  "HOTBENCH_HISTORY": WORKFLOW_ENV["HOTBENCH_HISTORY"].replace(CACHE_ROOT, str(cache))}
    home = tmp_path / "home"
    home.mkdir()
    origin = scratch_origin(tmp_path)
    ran = []
    for job, (event, ref_name) in JOBS.items():
        workspace, runner_temp = tmp_path / job / "workspace", tmp_path / job / "runner-temp"
        runner_temp.mkdir(parents=True)
        checkout(origin, job, workspace)
        summary = runner_temp / "step-summary.md"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CCACHE_BASEDIR", "CCACHE_NOHASHDIR")}
        env.update(env_values, HOME=str(home), CI="true", GITHUB_ACTIONS="true", GITHUB_EVENT_NAME=event,
                   GITHUB_WORKSPACE=str(workspace), RUNNER_TEMP=str(runner_temp), GITHUB_STEP_SUMMARY=str(summary),
                   GITHUB_REF_NAME=ref_name)
        for step in steps_of(workflow, job, event):
            if "uses" in step:
                if step["uses"] in ("actions/upload-artifact@v4", "actions/cache/save@v4"):
                    missing = [p for p in uploaded(step, cache, workspace) if not p.exists()]
                    assert not missing, f"job {job}: {step['uses']} would find nothing at {missing}"
                continue
            done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True,
                                  text=True, timeout=600)
            ran.append((job, step["run"]))
            assert done.returncode == 0, (f"job {job}, step {step.get('name')!r} exited {done.returncode}:\n"
                                          f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
            if "gate --against" in step["run"]:
                # The merge-base is main's commit, which main's job counted: reused, not built again.
                main_commit = git(origin, "rev-parse", "main")
                assert f"{main_commit[:12]}: counts reused from {env_values['HOTBENCH_HISTORY']}" in done.stdout
                assert "result: PASS" in done.stdout
        assert summary.read_text().strip(), f"job {job} wrote nothing on the run's page"
    assert len(ran) == sum(1 for job in JOBS for s in workflow["jobs"][job]["steps"] if "run" in s)
    pull_request = tmp_path / "pull-request" / "workspace"
    assert (pull_request / "gate.md").read_text().startswith("### hotbench check: PASS (exit 0)")
    assert re.search(r'<testcase [^>]*name="fixture/sum/', (pull_request / "gate.xml").read_text())
    assert "<html" in (tmp_path / "main" / "workspace" / "history.html").read_text().lower()
