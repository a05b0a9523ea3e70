"""Property: the policy reader turns ANY byte string into either a valid Policy or one BadInput line that
names the file and the place (exit 3 through the CLI), never another exception. Fed with random bytes,
random text, structurally valid TOML with random keys and values, and mutated real policy files.

Defects these found in the old reader (each now a fixed example below): an integer threshold too large
for a float (OverflowError), a pattern like 'a{99999999999}' (OverflowError) or '(((...' (RecursionError),
deeply nested TOML arrays (RecursionError), integers of more than 4300 digits (ValueError), and keys with
a newline that split the message over two lines."""

import math
import pathlib
import re

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from hotbench import check, cli, metrics
from hotbench.errors import BadInput

ROOT = pathlib.Path(__file__).resolve().parents[2]
PATH = pathlib.Path("/policies/gate.toml")
COMMITTED = (ROOT / "results" / "gate.toml").read_text()
RICH = """default_metric = "instructions_per_op"
default_threshold = 0.05
min_repetitions = 2
confidence = 0.9
[thresholds]
instructions_per_op = 0.01
real_time_ns = 0.2
[[overrides]]
pattern = "^json/limit/"
thresholds = { real_time_ns = 0.25 }
min_repetitions = 5
reason = "memory bandwidth noise"
[[overrides]]
pattern = "flaky$"
ignore = true
[[removed]]
pattern = "^json/parse/yajl/"
reason = "yajl dropped in PR 7"
"""
# database=None: no .hypothesis/ folder in the checkout; the crashes found are kept as @example.
SETTINGS = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes):
    """The property itself: a consistent Policy, or one line starting with the file's name."""
    try:
        policy = check.parse_policy(data, PATH)
    except BadInput as e:
        message = str(e)
        assert message.startswith(f"{PATH}: ") and len(message) > len(f"{PATH}: ")
        assert "\n" not in message and "\r" not in message, message
        assert e.exit_code == 3
        return message
    assert metrics.default().lookup(policy.default_metric) is not None
    assert 0.5 <= policy.confidence < 1 and policy.min_repetitions >= 1
    for t in [policy.default_threshold, *policy.thresholds.values(),
              *(v for o in policy.overrides for v in o.thresholds.values())]:
        assert 0 <= t < math.inf
    assert all(r.reason.strip() for r in policy.removed)
    return policy


def test_the_documents_used_here_are_valid():
    assert isinstance(outcome(COMMITTED.encode()), check.Policy)
    p = outcome(RICH.encode())
    assert isinstance(p, check.Policy) and len(p.overrides) == 2 and p.removed[0].reason == "yajl dropped in PR 7"


@SETTINGS
@given(st.binary(max_size=3000))
@example(b"\xff\xfe")
@example(b"a = " + b"[" * 5000)
@example(b"a = {b = " * 3000)
@example(b"default_threshold = " + b"9" * 5000)
def test_random_bytes(data):
    outcome(data)


@SETTINGS
@given(st.text(max_size=2000))
@example("[thresholds]\nreal_time_ns = 1" + "0" * 400)
@example("[[overrides]]\npattern = 'a{99999999999}'")
@example("[[overrides]]\npattern = '" + "(" * 5000 + ")" * 5000 + "'")
@example('"a\\nb" = 1')
@example('[[removed]]\npattern = "x"\nreason = "\\n"')
def test_random_text(text):
    outcome(text.encode("utf-8", "surrogatepass"))


KEYS = sorted(check._TOP_KEYS) + ["pattern", "reason", "ignore", "threshold", "real_time_ns",
                                   "instructions_per_op", "a\nb", "", " ", "é"]
SCALARS = ["0", "1", "-1", "0.1", "0.95", "1.0", "-0.0", "nan", "inf", "-inf", "1e308", "1e400", "9" * 30,
           "true", "false", '"x"', '""', '"   "', "'('", "'a{99999999999}'", '"real_time_ns"', '"wall"',
           "1979-05-27", "07:32:00", '"\\u0000"', "0x10", "[]", "[1, 2]", '["a", 1]', "{}",
           "{ real_time_ns = 0.2 }", "{ real_time = 0.2 }", "{ real_time_ns = -1 }", "[{}]",
           '[{ pattern = "x" }]', '[{ pattern = "x", reason = "gone" }]', '[{ pattern = "(" }]']


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace("\\", "\\\\").replace(
        '"', '\\"').replace("\n", "\\n") + '"'


table = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(SCALARS), max_size=5)


@st.composite
def documents(draw):
    """TOML that parses (mostly), with the policy's shapes and random keys and values in them."""
    lines = [f"{toml_key(k)} = {v}" for k, v in draw(table).items()]
    for _ in range(draw(st.integers(0, 4))):
        header = draw(st.sampled_from(["[[overrides]]", "[[removed]]", "[thresholds]", "[overrides]",
                                       "[[thresholds]]", "[removed]", "[[other]]"]))
        lines.append(header)
        lines += [f"{toml_key(k)} = {v}" for k, v in draw(table).items()]
    return "\n".join(lines) + "\n"


@SETTINGS
@given(documents())
def test_structured_documents(text):
    outcome(text.encode())


FRAGMENTS = ["=", "[", "]", "[[", "]]", '"', "'", "\n", "#", "{", "}", ",", ".", "-", "\\", "\x00", "\t",
             "nan", "1e999", "true", "[[removed]]\n", "[[overrides]]\n", "pattern = '('\n", "reason = ''\n",
             "ignore = 1\n", "min_repetitions = 0\n", "confidence = 1\n", "\xff", "é", "\u2028"]


@st.composite
def mutated(draw):
    text = draw(st.sampled_from([COMMITTED, RICH]))
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate line", "swap lines"]))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = text[:i] + draw(st.sampled_from(FRAGMENTS) | st.text(max_size=8)) + text[i:]
        elif kind == "replace":
            text = text[:i] + draw(st.sampled_from(FRAGMENTS + SCALARS)) + text[j:]
        else:
            lines = text.split("\n")
            a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate line":
                lines.insert(b, lines[a])
            else:
                lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    return text.encode("utf-8", "surrogatepass")


@SETTINGS
@given(mutated())
def test_mutated_policy_files(data):
    outcome(data)


def test_mutations_reach_both_outcomes():
    """The mutation strategy is not vacuous: it yields valid policies and every kind of refusal."""
    seen = {"policy": 0, "toml": 0, "semantic": 0}

    @settings(max_examples=300, deadline=None, database=None)
    @given(mutated())
    def collect(data):
        r = outcome(data)
        key = "policy" if isinstance(r, check.Policy) else "toml" if "invalid TOML" in r else "semantic"
        seen[key] += 1
    collect()
    assert all(seen.values()), seen


@pytest.mark.parametrize("data", [b"\xff", b"a = [" * 3000, b"[[removed]]\npattern = 'x'\n",
                                  b"[[overrides]]\npattern = '" + b"(" * 3000 + b"'\n"])
def test_through_the_cli_exit_3_one_line(tmp_path, capsys, data):
    policy = tmp_path / "gate.toml"
    policy.write_bytes(data)
    code = cli.main(["check", "--baseline", str(tmp_path), "--current", str(tmp_path), "--policy", str(policy)])
    out, err = capsys.readouterr()
    assert code == 3 and out == "" and err.startswith(f"hotbench: error: {policy}: ")
    assert len(err.strip().splitlines()) == 1
