"""Tests of data/generate.py. Run from the repo root: python3 -m pytest -q data"""
import hashlib
import importlib.util
import json
import os
import pathlib
import random
import re
import subprocess
import sys

import pytest

DATA = pathlib.Path(__file__).resolve().parent
SCRIPT = DATA / "generate.py"
MESSAGES_H = DATA.parent / "bench" / "json" / "typed" / "messages.h"

_spec = importlib.util.spec_from_file_location("hotbench_data_generate", SCRIPT)
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

U53, U63, U64 = 2 ** 53, 2 ** 63, 2 ** 64

# Member lists of bench/json/typed/messages.h, in declaration order.
MEMBERS = {
    "Address": ["name", "street", "city", "postcode", "country"],
    "LineItem": ["sku", "title", "quantity", "unit_price", "discount"],
    "Order": ["id", "customer_id", "created_at_ms", "currency", "items", "total", "paid",
              "coupon", "note", "tags", "shipping"],
    "GeoPoint": ["lat", "lon"],
    "UserProfile": ["id", "handle", "display_name", "bio", "verified", "followers", "following",
                    "score", "languages", "website", "location", "created_at_ms"],
    "Attribute": ["key", "value"],
    "Actor": ["id", "kind", "ip"],
    "EventMetadata": ["trace_id", "span_id", "region", "sampled", "retries", "attributes"],
    "Event": ["id", "type", "ts_ms", "actor", "metadata", "values", "error"],
}


@pytest.fixture(scope="module")
def tiny():
    """name -> bytes of the tiny profile."""
    return {name: gen.generate_file(name, "tiny") for name in gen.FILES}


@pytest.fixture(scope="module")
def default():
    """name -> bytes of the default profile, for the few (fast) files the tests use."""
    return {name: gen.generate_file(name, "default")
            for name in ("catalog.json", "orders.jsonl", "events.jsonl", "requests.oracleGeneral")}


@pytest.fixture(scope="module")
def manifest():
    return json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))


def _no_dup_pairs(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "duplicate key in %r" % keys
    return dict(pairs)


def _strict_float(text):
    # floats are repr() of a finite float: shortest round-trip form, never -0.0
    assert text == repr(float(text)), text
    assert text != "-0.0"
    return float(text)


def _reject_constant(name):
    raise AssertionError("non-finite constant %s in corpus" % name)


def _loads(b):
    return json.loads(b.decode("utf-8"), object_pairs_hook=_no_dup_pairs,
                      parse_float=_strict_float, parse_constant=_reject_constant)


def _docs(name, b):
    if name.endswith(".jsonl"):
        return [_loads(line) for line in b.split(b"\n")[:-1]]
    return [_loads(b)]


def _walk(v):
    yield v
    if isinstance(v, dict):
        for x in v.values():
            yield from _walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from _walk(x)


def _depth(v):
    if isinstance(v, dict):
        return 1 + max([_depth(x) for x in v.values()] or [0])
    if isinstance(v, list):
        return 1 + max([_depth(x) for x in v] or [0])
    return 0


def _minify(text):
    """Drops whitespace outside strings."""
    out, in_str, esc = [], False, False
    for c in text:
        if in_str:
            out.append(c)
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            out.append(c)
        elif c not in " \n\r\t":
            out.append(c)
    return "".join(out)


# --- determinism --------------------------------------------------------------------------

def test_generating_twice_gives_identical_bytes(tiny):
    state = random.getstate()
    for name in gen.FILES:
        assert gen.generate_file(name, "tiny") == tiny[name], name
    assert random.getstate() == state, "generate_file must not use the global random"


def test_tiny_matches_committed_manifest(tiny, manifest):
    assert manifest["generator"] == "data/generate.py"
    assert manifest["seed"] == gen.DEFAULT_SEED == 20261121
    entry = manifest["profiles"]["tiny"]
    assert list(entry) == gen.FILES
    for name in gen.FILES:
        assert entry[name]["bytes"] == len(tiny[name]), name
        assert entry[name]["sha256"] == hashlib.sha256(tiny[name]).hexdigest(), name


@pytest.mark.parametrize("name", ["catalog.json", "orders.jsonl", "events.jsonl"])
def test_default_profile_matches_committed_manifest(name, default, manifest):
    assert manifest["profiles"]["default"][name]["bytes"] == len(default[name])
    assert manifest["profiles"]["default"][name]["sha256"] == hashlib.sha256(default[name]).hexdigest()
    assert gen.generate_file(name, "default") == default[name]


def test_other_seed_gives_other_bytes(tiny):
    assert gen.generate_file("orders.jsonl", "tiny", seed=1) != tiny["orders.jsonl"]


def test_independent_of_hash_seed(tmp_path):
    out = tmp_path / "c"
    gen.ensure_corpus(out, "tiny", log=lambda s: None)
    env = dict(os.environ, PYTHONHASHSEED="4242")
    r = subprocess.run([sys.executable, str(SCRIPT), "--profile", "tiny", "--seed", "20261121",
                        "--out", str(out), "--check"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr


# --- shapes -------------------------------------------------------------------------------

def test_all_files_parse(tiny):
    for name in gen.JSON_FILES:
        b = tiny[name]
        if name.endswith(".jsonl"):
            assert b.endswith(b"\n") and b"\r" not in b, name
            assert 5 <= b.count(b"\n") <= 10, name
        docs = _docs(name, b)
        assert docs, name


def test_tiny_sizes(tiny):
    for name in gen.JSON_FILES:
        assert 2_000 <= len(tiny[name]) <= 8_192, (name, len(tiny[name]))


def test_social_pretty_is_social_with_whitespace(tiny):
    mini = tiny["social.json"].decode("utf-8")
    pretty = tiny["social_pretty.json"].decode("utf-8")
    assert "\n  " in pretty and "\n" not in mini
    assert _loads(tiny["social.json"]) == _loads(tiny["social_pretty.json"])
    assert _minify(pretty) == mini


def test_social_shape(tiny):
    doc = _loads(tiny["social.json"])
    assert list(doc) == ["statuses", "search_metadata"]
    assert _depth(doc) <= 16
    for st in doc["statuses"]:
        assert st["id_str"] == str(st["id"])
        for key in ("created_at", "text", "user", "entities", "retweet_count", "favorited",
                    "coordinates", "in_reply_to_status_id"):
            assert key in st
        assert set(st["entities"]) >= {"hashtags", "urls", "user_mentions"}
        assert isinstance(st["favorited"], bool)
        c = st["coordinates"]
        assert c is None or (c["type"] == "Point" and all(isinstance(x, float) for x in c["coordinates"]))
        for h in st["entities"]["hashtags"]:
            a, b = h["indices"]
            assert st["text"][a:b] == "#" + h["text"]


def test_geometry_shape(tiny):
    doc = _loads(tiny["geometry.json"])
    assert doc["type"] == "FeatureCollection"
    kinds = {f["geometry"]["type"] for f in doc["features"]}
    assert kinds == {"Polygon", "MultiPolygon"}
    for f in doc["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for rings in polys:
            for ring in rings:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                assert all(len(p) == 2 and all(isinstance(x, float) for x in p) for p in ring)


def test_catalog_shape(tiny):
    doc = _loads(tiny["catalog.json"])
    for key in ("areaNames", "events", "performances", "seatCategoryNames", "topicNames", "venueNames"):
        assert key in doc
    for k, ev in doc["events"].items():
        assert k == str(ev["id"])
        assert list(ev) == ["description", "id", "logo", "name", "subTopicIds", "subjectCode",
                            "subtitle", "topicIds"]
    for p in doc["performances"]:
        assert str(p["eventId"]) in doc["events"]
        assert p["seatCategories"] and p["prices"]


def test_big_ids_present(tiny, default):
    for name in ("social.json", "orders.jsonl", "profiles.jsonl", "events.jsonl"):
        ints = [v for d in _docs(name, tiny[name]) for v in _walk(d) if type(v) is int]
        assert any(U53 < v < U63 for v in ints), name
        assert any(U63 <= v < U64 for v in ints), name
        assert all(-U63 <= v < U64 for v in ints), name
    # both in the default profile too (checked on one file to stay fast)
    ids = [m["id"] for m in _docs("events.jsonl", default["events.jsonl"])]
    assert sum(U53 < v < U63 for v in ids) > len(ids) // 2
    assert any(v >= U63 for v in ids)


def test_escapes_present(tiny, default):
    surrogate_pair = re.compile(rb"\\ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}")
    for name in ("social.json", "orders.jsonl", "profiles.jsonl"):
        b = tiny[name]
        assert surrogate_pair.search(b), name            # astral char as \uXXXX\uXXXX
        assert re.search(rb"[\xf0-\xf4][\x80-\xbf]{3}", b), name   # raw astral UTF-8
        assert re.search(rb"[\xc2-\xdf][\x80-\xbf]", b), name       # raw 2-byte UTF-8
        assert b"\\/" in b, name
        assert b'\\"' in b and b"\\n" in b, name
    everything = b"".join(tiny[name] for name in gen.JSON_FILES)
    for esc in (b"\\\\", b"\\t", b"\\u0001"):
        assert esc in everything, esc
    for esc in (b"\\\\", b"\\t", b"\\r", b"\\b", b"\\f", b"\\u0001", b"\\u001f", b"\\/"):
        assert esc in default["orders.jsonl"], esc
    everything += default["orders.jsonl"]
    # no raw control characters inside strings (only LF between jsonl lines / pretty layout)
    assert not re.search(rb"[\x00-\x09\x0b-\x1f]", everything)


# --- typed messages -----------------------------------------------------------------------

def _check_struct(obj, struct):
    assert isinstance(obj, dict), struct
    assert list(obj) == MEMBERS[struct], (struct, list(obj))


def _check_u64(v):
    assert type(v) is int and 0 <= v < U64


def _check_i64(v):
    assert type(v) is int and -U63 <= v < U63


def _check_opt(v, check):
    if v is not None:
        check(v)


def _is_str(v):
    assert type(v) is str


def _is_double(v):
    assert type(v) is float


def _decimals(v, n):
    assert type(v) is float and round(v, n) == v, (v, n)


def _check_order(m):
    _check_struct(m, "Order")
    _check_u64(m["id"])
    _check_u64(m["customer_id"])
    _check_i64(m["created_at_ms"])
    _is_str(m["currency"])
    total = 0.0
    for it in m["items"]:
        _check_struct(it, "LineItem")
        _is_str(it["sku"])
        _is_str(it["title"])
        assert type(it["quantity"]) is int and 1 <= it["quantity"] <= 50
        _decimals(it["unit_price"], 2)
        _check_opt(it["discount"], lambda d: _decimals(d, 4))
        total += it["quantity"] * it["unit_price"] - (it["discount"] or 0.0)
    assert m["total"] == round(total, 2)
    assert type(m["paid"]) is bool
    _check_opt(m["coupon"], _is_str)
    _check_opt(m["note"], _is_str)
    assert all(type(t) is str for t in m["tags"])
    _check_struct(m["shipping"], "Address")
    _check_opt(m["shipping"]["postcode"], _is_str)
    assert len(m["shipping"]["country"]) == 2


def _check_profile(m):
    _check_struct(m, "UserProfile")
    _check_u64(m["id"])
    for k in ("handle", "display_name", "bio"):
        _is_str(m[k])
    assert type(m["verified"]) is bool
    _check_i64(m["followers"])
    _check_i64(m["following"])
    _decimals(m["score"], 4)
    assert all(type(t) is str for t in m["languages"])
    _check_opt(m["website"], _is_str)
    if m["location"] is not None:
        _check_struct(m["location"], "GeoPoint")
        _decimals(m["location"]["lat"], 7)
        _decimals(m["location"]["lon"], 7)
    _check_i64(m["created_at_ms"])


def _check_event(m):
    _check_struct(m, "Event")
    _check_u64(m["id"])
    _is_str(m["type"])
    _check_i64(m["ts_ms"])
    _check_struct(m["actor"], "Actor")
    _check_u64(m["actor"]["id"])
    _check_opt(m["actor"]["ip"], _is_str)
    md = m["metadata"]
    _check_struct(md, "EventMetadata")
    assert re.fullmatch("[0-9a-f]{32}", md["trace_id"])
    _check_u64(md["span_id"])
    assert type(md["sampled"]) is bool
    assert type(md["retries"]) is int and 0 <= md["retries"] <= 5
    for a in md["attributes"]:
        _check_struct(a, "Attribute")
    assert all(type(v) is float for v in m["values"])
    _check_opt(m["error"], _is_str)


TYPED = {"orders.jsonl": _check_order, "profiles.jsonl": _check_profile, "events.jsonl": _check_event}


@pytest.mark.parametrize("name", sorted(TYPED))
def test_typed_messages_match_structs(name, tiny):
    lines = tiny[name].split(b"\n")[:-1]
    nulls = 0
    for line in lines:
        assert gen.MSG_MIN_BYTES <= len(line) <= gen.MSG_MAX_BYTES <= 10_240
        msg = _loads(line)
        TYPED[name](msg)
        nulls += sum(v is None for v in _walk(msg))
    assert nulls > 0, "some optionals should be null"


@pytest.mark.parametrize("name", ["orders.jsonl", "events.jsonl"])
def test_typed_messages_default_profile(name, default):
    # the default profile spreads sizes over 100 B..10 KB: most 300 B..3 KB, some near 8..10 KB
    lines = default[name].split(b"\n")
    assert lines.pop() == b""
    assert len(lines) == 300
    sizes = [len(x) for x in lines]
    assert min(sizes) >= 100 and max(sizes) <= 10_000
    assert sum(300 <= s <= 3000 for s in sizes) > len(sizes) // 2
    assert sum(s >= 8000 for s in sizes) >= 5
    nulls = 0
    for line in lines:
        msg = _loads(line)
        TYPED[name](msg)
        nulls += sum(v is None for v in _walk(msg))
    assert nulls > 100


def test_hardcoded_members_match_messages_h():
    if not MESSAGES_H.exists():
        pytest.skip("bench/json/typed/messages.h not present")
    text = MESSAGES_H.read_text(encoding="utf-8")
    found = {}
    for m in re.finditer(r"BOOST_DESCRIBE_STRUCT\(\s*(\w+)\s*,\s*\(\s*\)\s*,\s*\(([^)]*)\)\s*\)", text):
        found[m.group(1)] = [x.strip() for x in m.group(2).split(",") if x.strip()]
    assert found == MEMBERS


# --- CLI and API --------------------------------------------------------------------------

def _run(*args, **kw):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, **kw)


def test_ensure_corpus_generates_then_reports_ok(tmp_path):
    logs = []
    paths = gen.ensure_corpus(tmp_path / "c", "tiny", log=logs.append)
    assert [p.name for p in paths] == gen.FILES
    assert all(p.is_file() for p in paths)
    assert sum(s.startswith("generated") for s in logs) == len(gen.FILES)
    logs.clear()
    assert gen.ensure_corpus(tmp_path / "c", "tiny", log=logs.append) == paths
    assert all(s.startswith("ok") for s in logs) and len(logs) == len(gen.FILES)
    assert not [p for p in (tmp_path / "c").iterdir() if p.name not in gen.FILES]   # no temp files left


def test_ensure_corpus_other_seed_only_generates_missing(tmp_path):
    logs = []
    out = tmp_path / "s"
    out.mkdir()
    (out / "catalog.json").write_bytes(b"{}")
    gen.ensure_corpus(out, "tiny", seed=5, log=logs.append)
    assert any("no manifest entry" in s for s in logs)
    assert (out / "catalog.json").read_bytes() == b"{}"
    assert (out / "orders.jsonl").read_bytes() == gen.generate_file("orders.jsonl", "tiny", 5)


def test_check_names_altered_file(tmp_path):
    out = tmp_path / "c"
    gen.ensure_corpus(out, "tiny", log=lambda s: None)
    r = _run("--profile", "tiny", "--out", str(out), "--check")
    assert r.returncode == 0, r.stderr
    with open(out / "profiles.jsonl", "ab") as f:
        f.write(b"\n")
    (out / "geometry.json").unlink()
    r = _run("--profile", "tiny", "--out", str(out), "--check")
    assert r.returncode == 1
    assert "profiles.jsonl" in r.stderr and "geometry.json" in r.stderr
    assert "catalog.json" not in r.stderr
    assert "Traceback" not in r.stderr
    # a plain run repairs both
    r = _run("--profile", "tiny", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("generated") == 2 and r.stdout.count("ok") == len(gen.FILES) - 2
    assert _run("--profile", "tiny", "--out", str(out), "--check").returncode == 0


def test_unwritable_out_dir_is_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    bad = blocker / "corpus"
    r = _run("--profile", "tiny", "--out", str(bad))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert str(bad) in lines[0] and "Traceback" not in r.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_out_dir_is_one_line_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        r = _run("--profile", "tiny", "--out", str(ro))
    finally:
        ro.chmod(0o755)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and str(ro) in r.stderr


def test_the_trace_is_oracle_general_with_consistent_next_accesses(tiny, default):
    """requests.oracleGeneral: whole 24-byte records (u32 time, u64 id, u32 size, i64 next index), each
    object with one size in 64 B..64 KiB+63, next_access the index of the object's next request or -1,
    a Zipf popularity (the most requested object far above the median one)."""
    import collections
    import struct
    for data, (objects, requests) in ((tiny["requests.oracleGeneral"], gen._TRACE_SHAPE["tiny"]),
                                      (default["requests.oracleGeneral"], gen._TRACE_SHAPE["default"])):
        assert len(data) == 24 * requests
        records = list(struct.iter_unpack("<IQIq", data))
        sizes, last_seen = {}, {}
        for i, (time, obj, size, next_at) in enumerate(records):
            assert time == i // 50
            assert 64 <= size < (1 << 16) + 64
            assert sizes.setdefault(obj, size) == size
            if obj in last_seen:
                assert records[last_seen[obj]][3] == i
            last_seen[obj] = i
        assert all(records[i][3] == -1 for i in last_seen.values())
        assert len(sizes) <= objects
        counts = sorted(collections.Counter(r[1] for r in records).values(), reverse=True)
        assert counts[0] > 20 * counts[len(counts) // 2]
