"""The command line as a whole (issue 14, "The CLI, consistently"): --help before set-up (no numpy,
pandas or matplotlib), one line naming the missing package otherwise, help text and the default
of every option, one spelling for output files (the old ones kept as hidden aliases), and the
usage-error code of the suite binaries as the runner sees it."""

import argparse
import os
import pathlib
import re
import stat
import subprocess
import sys
import textwrap

import pytest

from hotbench import cli, runner
from hotbench.errors import EXIT_INTERNAL, EXIT_USAGE, HotbenchError

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scripts" / "hotbench"
FIXTURE = ROOT / "scripts" / "tests" / "fixtures" / "gbench-1.7.1-repetitions.json"

# A fresh interpreter in which numpy, pandas and matplotlib cannot be imported: a machine before set-up.
WITHOUT_HEAVY = textwrap.dedent("""
    import sys
    class Missing:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("numpy", "pandas", "matplotlib"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    sys.meta_path.insert(0, Missing())
    from hotbench import cli
    {body}
""")


def without_heavy(body: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    return subprocess.run([sys.executable, "-c", WITHOUT_HEAVY.replace("{body}", body)], capture_output=True, text=True,
                          env=env, cwd=ROOT)


def test_the_blocker_really_blocks_numpy():
    result = without_heavy("import numpy")
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


@pytest.mark.parametrize("argv", [["--help"]] + [[name, "--help"] for name in cli.SUBCOMMANDS])
def test_help_works_without_numpy_pandas_matplotlib(argv):
    result = without_heavy(f"sys.exit(cli.main({argv!r}))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: hotbench") and "Traceback" not in result.stdout + result.stderr
    if argv[0] != "--help":
        assert f"usage: hotbench {argv[0]}" in result.stdout


@pytest.mark.parametrize("argv, package", [
    (["compare", "a", "b"], "python3-numpy"),
    (["check", "--baseline", "a", "--current", "b"], "python3-numpy"),
    (["plot", "a"], "python3-matplotlib"),
])
def test_a_subcommand_needing_numpy_says_which_package_in_one_line(argv, package):
    result = without_heavy(f"sys.exit(cli.main({argv!r}))")
    assert result.returncode == EXIT_INTERNAL
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert package in lines[0] and "./hotbench test" in lines[0] and "./hotbench run" in lines[0]
    assert f"`hotbench {argv[0]}`" in lines[0]


def test_an_undeclared_heavy_import_gives_the_same_one_line():
    """SUBCOMMANDS forgets that compare needs numpy: the import inside the work is still caught."""
    result = without_heavy("cli.SUBCOMMANDS['compare'] = cli.SUBCOMMANDS['compare'][:2] + ((),)\n"
                           f"sys.exit(cli.main(['compare', {str(FIXTURE)!r}, {str(FIXTURE)!r}]))")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == EXIT_INTERNAL and len(lines) == 1 and "python3-numpy" in lines[0], result.stderr


def test_run_and_smoke_need_no_heavy_package():
    """run is what installs them (./hotbench run): it must not need them to start."""
    assert cli.SUBCOMMANDS["run"][2] == () and cli.SUBCOMMANDS["smoke"][2] == ()
    result = without_heavy("sys.exit(cli.main(['run', '--suite', 'nope']))")
    assert result.returncode == EXIT_USAGE and "python3-" not in result.stderr, result.stderr


# ---------------------------------------------------------------- which subcommand needs what

def imported_modules(name: str) -> set[str]:
    """The package's modules `name` imports (statically, `from . import a, b` / `from .a import`, and from
    inside suites/: `from .. import a`), transitively, as paths under the package without .py; a module
    that imports `suites` (which finds suites/<suite>.py by name) reaches every module in it. A suite
    module's `LazyModule("...plot")` is not an import: plot is imported when plot itself asks for figures."""
    seen, todo = set(), [name]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        text = (PACKAGE / f"{module}.py").read_text()
        found = set(re.findall(r"^\s*from \.\.?(\w+) import", text, re.M))
        for names in re.findall(r"^\s*from \.\.? import ([\w, ]+)", text, re.M):
            found |= {n.strip() for n in names.split(",")}
        if "suites" in found or module.startswith("suites/"):
            found |= {f"suites/{p.stem}" for p in (PACKAGE / "suites").glob("*.py")}
        todo += [m for m in found if (PACKAGE / f"{m}.py").exists()]
    return seen


def heavy_imports(module: str) -> set[str]:
    if module == "cli":  # names them all (HEAVY, LazyModule's example) and imports none
        return set()
    text = (PACKAGE / f"{module}.py").read_text()
    used = {h for h in cli.HEAVY if re.search(rf"^\s*(import|from) {h}\b", text, re.M)}
    used |= set(re.findall(r"LazyModule\(\"(\w+)\"\)", text))
    return used


@pytest.mark.parametrize("name", list(cli.SUBCOMMANDS))
def test_each_subcommand_declares_the_heavy_packages_its_modules_import(name):
    module, _, needs = cli.SUBCOMMANDS[name]
    used = set().union(*(heavy_imports(m) for m in imported_modules(module)))
    assert used <= set(needs), f"{name} imports {sorted(used)} but SUBCOMMANDS declares {needs}"


def test_the_import_scan_sees_a_lazy_numpy():
    assert "numpy" in heavy_imports("stats") and "matplotlib" in heavy_imports("plot")
    assert "stats" in imported_modules("check") and "suites/cache" in imported_modules("plot")
    assert "suites/queue" in imported_modules("smoke") and "plot" not in imported_modules("smoke")


# ---------------------------------------------------------------- every option: help text and default

def option_problems(parser: argparse.ArgumentParser, where: str = "hotbench") -> list[str]:
    """Options without help text, or with a default the help does not show (recursing into subcommands)."""
    problems = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if not choice.help:
                    problems.append(f"{where} {choice.dest}: no one-line help")
            for name, sub in action.choices.items():
                problems += option_problems(sub, f"{where} {name}")
            continue
        label = f"{where} {'/'.join(action.option_strings) or action.dest}"
        if action.help is argparse.SUPPRESS:
            if not isinstance(action, cli._Deprecated):
                problems.append(f"{label}: hidden from --help but not a deprecated alias")
            continue
        if not action.help:
            problems.append(f"{label}: no help text")
            continue
        formatter = parser._get_formatter()
        shown = formatter._expand_help(action)  # the help as --help prints it, with this parser's formatter
        if cli.has_default(action) and str(cli.shown_default(action.default)) not in shown:
            problems.append(f"{label}: default {action.default!r} not shown ({shown!r})")
    return problems


def test_every_option_of_every_subcommand_has_help_and_shows_its_default():
    assert option_problems(cli.parser()) == []


def test_the_walk_catches_an_option_without_help_or_without_its_default():
    p = argparse.ArgumentParser(formatter_class=argparse.RawDescriptionHelpFormatter)  # the formatter before
    p.add_argument("--silent", type=int)
    p.add_argument("--repetitions", type=int, default=5, help="repetitions per benchmark")
    p.add_argument("--hidden", help=argparse.SUPPRESS)
    problems = option_problems(p, "planted")
    assert any("--silent: no help text" in x for x in problems)
    assert any("--repetitions: default 5 not shown" in x for x in problems)
    assert any("--hidden: hidden" in x for x in problems)
    assert len(problems) == 3


def test_defaults_are_shown_in_the_help_text_itself():
    text = cli.parser()._subparsers._group_actions[0].choices["compare"].format_help()
    assert "(default: real_time_ns)" in re.sub(r"\s+", " ", text)
    run_help = re.sub(r"\s+", " ", cli.parser()._subparsers._group_actions[0].choices["run"].format_help())
    assert "(default: results)" in run_help  # relative to the checkout, never /home/<user>/...


# ---------------------------------------------------------------- output files: -o/--output

def parse(*argv):
    return cli.parser().parse_args([str(a) for a in argv])


@pytest.mark.parametrize("argv, dest, value", [
    (["report", "in", "-o", "r.html"], "html", "r.html"),
    (["report", "in", "-o", "r.csv"], "output", "r.csv"),
    (["compare", "a", "b", "-o", "pr.md"], "markdown", "pr.md"),
    (["compare", "a", "b", "-o", "diff.csv"], "csv", "diff.csv"),
    (["check", "--baseline", "a", "--current", "b", "-o", "j.xml"], "junit", "j.xml"),
    (["gate", "--output", "j.xml"], "junit", "j.xml"),
    (["plot", "in", "-o", "figures"], "out", "figures"),
    (["run", "-o", "elsewhere"], "results", "elsewhere"),
    (["gate-experiment", "-o", "exp"], "out", "exp"),
])
def test_the_one_output_is_dash_o(argv, dest, value):
    assert getattr(parse(*argv), dest) == pathlib.Path(value)


def test_report_html_by_suffix_leaves_the_csv_on_stdout_unset():
    args = parse("report", "in", "-o", "R.HTML")
    assert args.html == pathlib.Path("R.HTML") and args.output is None
    args = parse("report", "in")
    assert args.html is None and args.output is None


def test_compare_writes_both_formats_from_two_dash_o():
    args = parse("compare", "a", "b", "-o", "pr.md", "-o", "diff.csv")
    assert (args.markdown, args.csv) == (pathlib.Path("pr.md"), pathlib.Path("diff.csv"))


def test_compare_refuses_an_output_whose_format_it_cannot_tell(capsys):
    with pytest.raises(SystemExit) as e:
        parse("compare", "a", "b", "-o", "diff.txt")
    assert e.value.code == EXIT_USAGE
    assert "cannot tell the format of 'diff.txt'" in capsys.readouterr().err


@pytest.mark.parametrize("argv, dest, new", [
    (["report", "in", "--html", "r.html"], "html", "-o FILE.html"),
    (["compare", "a", "b", "--markdown", "pr.md"], "markdown", "-o FILE.md"),
    (["compare", "a", "b", "--csv", "diff.csv"], "csv", "-o FILE.csv"),
    (["check", "--baseline", "a", "--current", "b", "--junit", "j.xml"], "junit", "-o FILE"),
    (["gate", "--junit", "j.xml"], "junit", "-o FILE"),
    (["plot", "in", "--out", "figures"], "out", "-o/--output DIR"),
    (["run", "--results", "elsewhere"], "results", "-o/--output DIR"),
    (["gate-experiment", "--out", "exp"], "out", "-o/--output DIR"),
])
def test_old_output_spellings_still_work_hidden_with_a_note(capsys, argv, dest, new):
    args = parse(*argv)
    old = next(a for a in argv if a.startswith("--") and a not in ("--baseline", "--current"))
    assert getattr(args, dest) == pathlib.Path(argv[argv.index(old) + 1])
    assert f"hotbench: note: {old} is deprecated; use {new}" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse(argv[0], "--help")
    assert not re.search(re.escape(old) + r"(?![\w-])", capsys.readouterr().out)  # --out, not --output


def test_defaults_of_output_folders_are_unchanged():
    assert parse("run").results == runner.ROOT / "results"
    assert parse("gate-experiment").out == runner.ROOT / "results" / "gate-experiment"
    assert parse("plot", "in").out is None and parse("check", "--baseline", "a", "--current", "b").junit is None


# ---------------------------------------------------------------- a suite binary that refuses its arguments

def fake_binary(tmp_path, script: str) -> pathlib.Path:
    path = tmp_path / "hotbench_fake"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_binary_usage_error_is_a_usage_error_of_the_run(tmp_path):
    binary = fake_binary(tmp_path, "echo \"hotbench: error: unknown setting 'x'\" >&2; exit 4")
    with pytest.raises(HotbenchError) as e:
        runner.list_benchmarks(binary, ["--hotbench_set=x=1"])
    assert e.value.exit_code == EXIT_USAGE and "refused its arguments: hotbench: error: unknown setting" in str(e.value)


@pytest.mark.parametrize("script, says", [("echo 'AddressSanitizer: boom' >&2; exit 1", "exited with status 1"),
                                          ("kill -SEGV $$", "killed by SIGSEGV")])
def test_a_binary_that_fails_while_listing_is_not_blamed_on_the_user(tmp_path, script, says):
    with pytest.raises(HotbenchError) as e:
        runner.list_benchmarks(fake_binary(tmp_path, script), [])
    assert e.value.exit_code == EXIT_INTERNAL and says in str(e.value) and "refused" not in str(e.value)


def test_the_harness_usage_exit_code_is_the_clis():
    """bench/harness/main.cpp's constant and errors.py's must not drift apart."""
    source = (ROOT / "bench" / "harness" / "main.cpp").read_text()
    assert re.search(rf"constexpr int kExitUsage = {EXIT_USAGE};", source)
    assert not re.search(r"\breturn 2;", source)


# ---------------------------------------------------------------- ./hotbench: help before set-up

@pytest.fixture
def no_setup_path(tmp_path):
    """A PATH on which set-up (dpkg-query, apt-get, cmake) only leaves a mark and fails."""
    fake = tmp_path / "bin"
    fake.mkdir()
    for tool in ("dpkg-query", "apt-get", "cmake"):
        (fake / tool).write_text(f"#!/bin/sh\necho {tool} >> {tmp_path / 'setup-ran'}\nexit 1\n")
        (fake / tool).chmod(0o755)
    return tmp_path, f"{fake}:{os.environ.get('PATH', '/usr/bin:/bin')}"


@pytest.mark.parametrize("argv, says", [(["--help"], "usage: hotbench [-h] SUBCOMMAND"),
                                        (["run", "--help"], "usage: hotbench run"),
                                        (["gate", "-h"], "usage: hotbench gate"),
                                        (["test", "--help"], "./hotbench test"),
                                        (["report", "--help"], "usage: hotbench report")])
def test_the_wrapper_prints_help_without_any_set_up(no_setup_path, argv, says):
    tmp_path, path = no_setup_path
    result = subprocess.run([str(ROOT / "hotbench"), *argv], capture_output=True, text=True,
                            env=dict(os.environ, PATH=path))
    assert result.returncode == 0, result.stderr
    assert says in result.stdout and not (tmp_path / "setup-ran").exists()


def test_the_wrapper_without_a_subcommand_is_a_usage_error(no_setup_path):
    _, path = no_setup_path
    result = subprocess.run([str(ROOT / "hotbench")], capture_output=True, text=True, env=dict(os.environ, PATH=path))
    assert result.returncode == EXIT_USAGE and "usage: hotbench" in result.stderr
    bad = subprocess.run([str(ROOT / "hotbench"), "test", "extra"], capture_output=True, text=True,
                         env=dict(os.environ, PATH=path))
    assert bad.returncode == EXIT_USAGE
