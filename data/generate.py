#!/usr/bin/env python3
"""Deterministic, seeded generator of hotbench's default corpus: JSON documents for the json suite and
one request trace (libCacheSim's oracleGeneral format) for the cache suite's trace task.

Standard library only; the same seed and profile give byte-identical files on
every run and machine (see data/README.md for the corpus description).

    python3 data/generate.py [--out DIR] [--profile default|tiny] [--seed N]
                             [--check] [--update-manifest]

Importable API: FILES, DEFAULT_SEED, PROFILES, generate_file(), ensure_corpus(),
check_corpus(), load_manifest(), CorpusError.

Determinism rules followed here (do not break them when editing):
- one ``random.Random(f"{seed}:{name}")`` per file for the content, and one
  ``random.Random(f"{seed}:{name}:escape")`` for the per-string escaping choices;
  never the global random, never hash() of str, never set iteration order, never
  the clock, never the locale;
- floats only from +, -, *, /, round() and float literals (all correctly rounded
  in IEEE 754), never from libm functions (log, exp, sin, pow, ...) whose last bit
  may differ between platforms; written with repr() (shortest round-trip);
- the random-module calls used (random, getrandbits, randrange, randint, choice)
  produce the same sequence on CPython 3.8 through 3.13.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pathlib
import random
import re
import sys
from typing import Callable, Dict, List, Optional, Tuple

DEFAULT_SEED = 20261121
PROFILES = ("default", "tiny")
FILES = [
    "social.json",
    "social_pretty.json",
    "geometry.json",
    "catalog.json",
    "orders.jsonl",
    "profiles.jsonl",
    "events.jsonl",
    "requests.oracleGeneral",
]
JSON_FILES = [name for name in FILES if name.endswith((".json", ".jsonl"))]  # the json suite's

DATA_DIR = pathlib.Path(__file__).resolve().parent
REPO_ROOT = DATA_DIR.parent
MANIFEST_PATH = DATA_DIR / "manifest.json"
GENERATOR_NAME = "data/generate.py"

# Approximate minified sizes in bytes.
_TARGETS = {
    "default": {"social.json": 700_000, "geometry.json": 2_000_000, "catalog.json": 1_000_000},
    "tiny": {"social.json": 5_500, "geometry.json": 5_000, "catalog.json": 5_000},
}
_JSONL_COUNT = {"default": 300, "tiny": 8}
# requests.oracleGeneral: (objects, requests)
_TRACE_SHAPE = {"default": (20_000, 200_000), "tiny": (300, 3_000)}

MSG_MIN_BYTES = 100      # per jsonl line, newline excluded
MSG_MAX_BYTES = 10_000

P_NULL = 0.30            # share of empty optionals in the typed messages
P_UESCAPE = 0.15         # share of non-ASCII strings written with \uXXXX escapes
P_SLASH = 0.02           # share of strings containing '/' written with '\/'

U53 = 2 ** 53
U63 = 2 ** 63
U64 = 2 ** 64


class CorpusError(Exception):
    """A problem the CLI reports as one line on stderr (exit status 2)."""


# --------------------------------------------------------------------------------------
# JSON writer with per-string escaping decisions
# --------------------------------------------------------------------------------------

_SHORT_ESC = {
    '"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r",
    "\b": "\\b", "\f": "\\f", "/": "\\/",
}


def _esc_char(m: "re.Match[str]") -> str:
    c = m.group()
    short = _SHORT_ESC.get(c)
    if short is not None:
        return short
    o = ord(c)
    if o > 0xFFFF:
        o -= 0x10000
        return "\\u%04x\\u%04x" % (0xD800 + (o >> 10), 0xDC00 + (o & 0x3FF))
    return "\\u%04x" % o


# Characters escaped, by (escape non-ASCII as \uXXXX, escape '/').
_ESC_RE = {
    (False, False): re.compile('[\x00-\x1f"\\\\]'),
    (False, True): re.compile('[\x00-\x1f"\\\\/]'),
    (True, False): re.compile('[\x00-\x1f"\\\\\x80-\U0010ffff]'),
    (True, True): re.compile('[\x00-\x1f"\\\\/\x80-\U0010ffff]'),
}
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
_PLAIN_KEY_RE = re.compile(r"[A-Za-z0-9_\-.:@$ ]+")


def _float_text(x: float) -> str:
    if x != x or x in (math.inf, -math.inf):
        raise ValueError("non-finite float in corpus: %r" % x)
    if x == 0.0 and math.copysign(1.0, x) < 0:
        raise ValueError("-0.0 in corpus")
    return repr(x)


class Writer:
    """Serializes Python values (dict/list/str/int/float/bool/None) to JSON text.

    Each string's escaping style is drawn from ``rng`` in traversal order, so two
    Writers seeded alike make the same choices for the same document, minified or
    pretty. Rules: '"', '\\' and control characters are always escaped; a string
    with non-ASCII characters is written with \\uXXXX escapes (surrogate pairs
    above U+FFFF) with probability P_UESCAPE, else as raw UTF-8; a string with
    '/' writes it as '\\/' with probability P_SLASH. So that every file exercises
    each form, the first non-ASCII string, the first string with an astral
    character and the first string with '/' of each file always take the escaped
    form.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._u_seen = False
        self._astral_seen = False
        self._slash_seen = False

    def snapshot(self):
        return (self.rng.getstate(), self._u_seen, self._astral_seen, self._slash_seen)

    def restore(self, snap) -> None:
        state, self._u_seen, self._astral_seen, self._slash_seen = snap
        self.rng.setstate(state)

    def string(self, s: str) -> str:
        uesc = False
        if not s.isascii():
            if not self._u_seen:
                uesc = True
            elif not self._astral_seen and _ASTRAL_RE.search(s):
                uesc = True
            else:
                uesc = self.rng.random() < P_UESCAPE
            if uesc:
                self._u_seen = True
                if not self._astral_seen and _ASTRAL_RE.search(s):
                    self._astral_seen = True
        slash = False
        if "/" in s:
            slash = (not self._slash_seen) or self.rng.random() < P_SLASH
            if slash:
                self._slash_seen = True
        return '"' + _ESC_RE[(uesc, slash)].sub(_esc_char, s) + '"'

    def dumps(self, value, pretty: bool = False) -> str:
        out: List[str] = []
        if pretty:
            self._pretty(value, out, 0)
        else:
            self._mini(value, out)
        return "".join(out)

    @staticmethod
    def _key(k) -> str:
        if type(k) is not str or not _PLAIN_KEY_RE.fullmatch(k):
            raise ValueError("object key must be plain ASCII: %r" % (k,))
        return '"' + k + '"'

    def _scalar(self, v, out: List[str]) -> bool:
        t = type(v)
        if t is str:
            out.append(self.string(v))
        elif v is None:
            out.append("null")
        elif v is True:
            out.append("true")
        elif v is False:
            out.append("false")
        elif t is int:
            out.append(int.__repr__(v))
        elif t is float:
            out.append(_float_text(v))
        else:
            return False
        return True

    def _mini(self, v, out: List[str]) -> None:
        if self._scalar(v, out):
            return
        t = type(v)
        if t is dict:
            out.append("{")
            first = True
            for k, x in v.items():
                out.append(self._key(k) + ":" if first else "," + self._key(k) + ":")
                first = False
                self._mini(x, out)
            out.append("}")
        elif t is list:
            out.append("[")
            first = True
            for x in v:
                if not first:
                    out.append(",")
                first = False
                self._mini(x, out)
            out.append("]")
        else:
            raise TypeError("cannot serialize %r" % (t,))

    def _pretty(self, v, out: List[str], level: int) -> None:
        # Same layout as json.dumps(v, indent=2).
        if self._scalar(v, out):
            return
        t = type(v)
        if t is dict:
            if not v:
                out.append("{}")
                return
            inner = "\n" + "  " * (level + 1)
            first = True
            out.append("{")
            for k, x in v.items():
                out.append((inner if first else "," + inner) + self._key(k) + ": ")
                first = False
                self._pretty(x, out, level + 1)
            out.append("\n" + "  " * level + "}")
        elif t is list:
            if not v:
                out.append("[]")
                return
            inner = "\n" + "  " * (level + 1)
            first = True
            out.append("[")
            for x in v:
                out.append(inner if first else "," + inner)
                first = False
                self._pretty(x, out, level + 1)
            out.append("\n" + "  " * level + "]")
        else:
            raise TypeError("cannot serialize %r" % (t,))


def _est(v) -> int:
    """Approximate minified UTF-8 size (raw strings); used only to reach size targets."""
    return len(json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# --------------------------------------------------------------------------------------
# Random content helpers
# --------------------------------------------------------------------------------------

ASCII_WORDS = (
    "the quick brown fox jumps over lazy dog json parser benchmark speed latency "
    "throughput cache memory vector string number object array value release build "
    "test coffee morning city train music game photo weekend update new great today "
    "launch night river garden market window bridge summer winter light signal data "
    "stream ocean forest pixel rocket planet robot friend happy lucky late early"
).split()
LATIN1_WORDS = [
    "café", "crème", "brûlée", "naïve", "façade", "Zürich", "São", "Ærø", "niño",
    "résumé", "Göteborg", "Montréal", "Málaga", "déjà", "Ñandú", "Österreich",
    "garçon", "piñata", "über", "señorita", "Àlex", "fiancée", "Açaí",
]
CJK_WORDS = [
    "東京", "日本語", "北京", "你好", "世界", "データ", "テスト", "한국어", "서울",
    "漢字", "開発", "速度", "ラーメン", "桜", "天気", "今日は", "音楽", "猫",
]
EMOJI = [
    "😀", "🎉", "🚀", "👍", "🔥", "💯", "🤖", "🇫🇷", "🇯🇵", "👩‍💻", "❤️", "✨",
    "𝄞", "𠜎", "😂", "🙏", "🌍", "☕",
]
SPECIAL_WORDS = [
    '"quoted"', "back\\slash", "C:\\Users\\bench", "tab\there", "line\nbreak",
    "cr\r\nlf", "bell\b", "form\ffeed", "ctl\x01", "unit\x1fsep", "a/b", "1/2",
    "</script>", "€", "—", "…", "½", "«guillemets»", "it's", "50%", "x&y", "<tag>",
]
FIRST_NAMES = [
    "Zoë", "Léa", "Jürgen", "Ana", "Björk", "José", "Amélie", "Søren", "Łukasz",
    "Chloé", "Noah", "Emma", "Liam", "Olivia", "Mia", "Hiro", "Yuki", "Wei",
    "太郎", "花子", "민준", "Сергей", "Αλέξης", "O'Brien", 'Bob "the builder"',
]
LAST_NAMES = [
    "Müller", "Dubois", "García", "Sørensen", "Nowak", "Smith", "Tanaka", "Li",
    "山田", "김", "Иванов", "Παπαδόπουλος", "O'Neil", "van der Berg", "Ó Briain",
]
CITIES = [
    "Paris", "Zürich", "München", "São Paulo", "Montréal", "Kraków", "東京", "서울",
    "New York", "Reykjavík", "İstanbul", "Москва", "Αθήνα", "Malmö", "Cork",
]
COUNTRIES = ["FR", "CH", "DE", "BR", "CA", "PL", "JP", "KR", "US", "IS", "TR", "RU", "GR", "SE", "IE"]
STREETS = [
    "rue de l'Église", "Bahnhofstraße", "Avenida Paulista", "Main St", "Calle Mayor",
    "ulica Floriańska", "Sesame Street", "Via Roma", "Kungsgatan", "銀座通り",
]
TLDS = ["com", "org", "net", "io", "fr", "jp", "de", "dev"]
HEX = "0123456789abcdef"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

MS_2020 = 1_577_836_800_000   # 2020-01-01T00:00:00Z
MS_2027 = 1_798_761_600_000   # 2027-01-01T00:00:00Z

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _civil_from_days(z: int) -> Tuple[int, int, int]:
    """Days since 1970-01-01 -> (year, month, day), proleptic Gregorian (H. Hinnant)."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def _twitter_time(seconds: int) -> str:
    """'Sun Aug 31 00:29:15 +0000 2014' without strftime (locale independent)."""
    days, rem = divmod(seconds, 86400)
    y, m, d = _civil_from_days(days)
    wd = (days + 3) % 7   # 1970-01-01 was a Thursday; Monday = 0
    return "%s %s %02d %02d:%02d:%02d +0000 %d" % (
        _DAYS[wd], _MONTHS[m - 1], d, rem // 3600, rem // 60 % 60, rem % 60, y)


def _fl(x: float) -> float:
    """Normalizes -0.0 to 0.0 (x + 0.0 does that in round-to-nearest)."""
    return x + 0.0


class _Gen:
    def __init__(self, rng: random.Random, profile: str):
        self.r = rng
        self.tiny = profile == "tiny"

    # numbers -------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def u64_id(self, force_high: bool = False) -> int:
        """Mostly in [2^53+1, 2^63-1], some in [2^63, 2^64-1]."""
        if force_high or self.chance(0.03):
            return self.r.randint(U63, U64 - 1)
        return self.r.randint(U53 + 1, U63 - 1)

    def uniform(self, a: float, b: float) -> float:
        return _fl(a + (b - a) * self.r.random())

    def ts_ms(self) -> int:
        return self.r.randrange(MS_2020, MS_2027)

    def hexstr(self, n: int) -> str:
        return "".join(self.r.choice(HEX) for _ in range(n))

    def b62(self, n: int) -> str:
        return "".join(self.r.choice(B62) for _ in range(n))

    # strings -------------------------------------------------------------------
    def word(self, latin=0.12, cjk=0.06, emoji=0.05, special=0.04) -> str:
        x = self.r.random()
        if x < latin:
            return self.r.choice(LATIN1_WORDS)
        x -= latin
        if x < cjk:
            return self.r.choice(CJK_WORDS)
        x -= cjk
        if x < emoji:
            return self.r.choice(EMOJI)
        x -= emoji
        if x < special:
            return self.r.choice(SPECIAL_WORDS)
        return self.r.choice(ASCII_WORDS)

    def text(self, lo: int, hi: int, **mix) -> str:
        return " ".join(self.word(**mix) for _ in range(self.r.randint(lo, hi)))

    def sentence(self) -> str:
        s = self.text(4, 14)
        return s[:1].upper() + s[1:] + self.r.choice([".", "!", "?", "…", ".\n", "\n\n", ". "])

    def person(self) -> str:
        return self.r.choice(FIRST_NAMES) + " " + self.r.choice(LAST_NAMES)

    def handle(self) -> str:
        base = self.r.choice(ASCII_WORDS) + self.r.choice(["_", "", "."]) + self.r.choice(ASCII_WORDS)
        return base + str(self.r.randrange(1000)) if self.chance(0.5) else base

    def url(self) -> str:
        host = self.r.choice(ASCII_WORDS) + "." + self.r.choice(TLDS)
        path = "/".join(self.r.choice(ASCII_WORDS) for _ in range(self.r.randint(0, 3)))
        q = "?id=%d&lang=%s" % (self.r.randrange(10 ** 6), self.r.choice(["en", "fr", "ja"])) if self.chance(0.2) else ""
        return "%s://%s/%s%s" % (self.r.choice(["https", "https", "http"]), host, path, q)


# --------------------------------------------------------------------------------------
# social.json / social_pretty.json (twitter search result)
# --------------------------------------------------------------------------------------

_LANGS = ["en", "ja", "fr", "es", "de", "ko", "pt", "und"]
_SOURCES = [
    '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
    '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
    "web",
    '<a href="https://about.twitter.com/products/tweetdeck" rel="nofollow">TweetDeck</a>',
]
_TIME_ZONES = ["Tokyo", "Paris", "Pacific Time (US & Canada)", "Seoul", "Amsterdam", "Brasilia"]
_COLORS = ["C0DEED", "000000", "FFFFFF", "0084B4", "DDEEF6", "333333", "F5F8FA", "ABB8C2"]


def _tweet_text(g: _Gen, users: List[Tuple[str, str, int]], rt_of: Optional[str]):
    """Builds text and its entities; indices are code-point offsets into the text."""
    r = g.r
    parts: List[str] = []
    pos = 0
    hashtags, urls, mentions = [], [], []

    def add(s: str) -> Tuple[int, int]:
        nonlocal pos
        if parts:
            sep = " " if r.random() < 0.92 else r.choice(["\n", "\n\n", " \n"])
            parts.append(sep)
            pos += len(sep)
        start = pos
        parts.append(s)
        pos += len(s)
        return start, pos

    if rt_of is not None:
        add("RT @%s:" % rt_of)
    for _ in range(r.randint(4, 18)):
        x = r.random()
        if x < 0.09:
            tag = r.choice([r.choice(ASCII_WORDS), r.choice(CJK_WORDS), r.choice(LATIN1_WORDS)])
            a, b = add("#" + tag)
            hashtags.append({"text": tag, "indices": [a, b]})
        elif x < 0.14 and users:
            sn, name, uid = r.choice(users)
            a, b = add("@" + sn)
            mentions.append({"screen_name": sn, "name": name, "id": uid, "id_str": str(uid), "indices": [a, b]})
        elif x < 0.18:
            short = "http://t.co/" + g.b62(10)
            a, b = add(short)
            expanded = g.url()
            disp = expanded.split("://", 1)[1]
            urls.append({"url": short, "expanded_url": expanded,
                         "display_url": disp[:24] + ("…" if len(disp) > 24 else ""), "indices": [a, b]})
        else:
            add(g.word(latin=0.12, cjk=0.12, emoji=0.08, special=0.05))
    entities = {"hashtags": hashtags, "symbols": [], "urls": urls, "user_mentions": mentions}
    return "".join(parts), entities


def _twitter_user(g: _Gen, sn: str, name: str, uid: int) -> dict:
    r = g.r
    desc = g.text(0, 16, latin=0.1, cjk=0.1, emoji=0.08, special=0.05)
    has_url = g.chance(0.4)
    url = ("http://t.co/" + g.b62(10)) if has_url else None
    entities: Dict[str, dict] = {}
    if has_url:
        entities["url"] = {"urls": [{"url": url, "expanded_url": g.url(), "display_url": None, "indices": [0, 22]}]}
    entities["description"] = {"urls": []}
    img = "%d/%s" % (r.randrange(10 ** 8, 10 ** 9), g.b62(8))
    utc = r.randrange(-12, 13) * 3600 if g.chance(0.6) else None
    return {
        "id": uid,
        "id_str": str(uid),
        "name": name,
        "screen_name": sn,
        "location": r.choice(["", r.choice(CITIES), r.choice(CITIES) + ", " + r.choice(COUNTRIES)]),
        "description": desc,
        "url": url,
        "entities": entities,
        "protected": g.chance(0.05),
        "followers_count": r.randrange(0, 2_000_000) if g.chance(0.9) else r.randrange(0, 100),
        "friends_count": r.randrange(0, 5000),
        "listed_count": r.randrange(0, 300),
        "created_at": _twitter_time(r.randrange(1_200_000_000, 1_700_000_000)),
        "favourites_count": r.randrange(0, 100_000),
        "utc_offset": utc,
        "time_zone": r.choice(_TIME_ZONES) if utc is not None else None,
        "geo_enabled": g.chance(0.3),
        "verified": g.chance(0.1),
        "statuses_count": r.randrange(1, 500_000),
        "lang": r.choice(_LANGS),
        "contributors_enabled": False,
        "is_translator": False,
        "profile_background_color": r.choice(_COLORS),
        "profile_background_image_url": "http://abs.twimg.com/images/themes/theme%d/bg.png" % r.randint(1, 19),
        "profile_background_tile": g.chance(0.2),
        "profile_image_url": "http://pbs.twimg.com/profile_images/%s_normal.jpeg" % img,
        "profile_image_url_https": "https://pbs.twimg.com/profile_images/%s_normal.jpeg" % img,
        "profile_banner_url": ("https://pbs.twimg.com/profile_banners/%d/%d" % (uid, r.randrange(10 ** 9, 2 * 10 ** 9))
                               if g.chance(0.5) else None),
        "profile_link_color": r.choice(_COLORS),
        "profile_text_color": r.choice(_COLORS),
        "profile_use_background_image": g.chance(0.8),
        "default_profile": g.chance(0.4),
        "default_profile_image": g.chance(0.05),
        "following": False,
        "follow_request_sent": False,
        "notifications": False,
    }


def _status(g: _Gen, idx: int, users: List[Tuple[str, str, int]], allow_rt: bool) -> dict:
    r = g.r
    sid = g.u64_id(force_high=(idx % 16 == 1))
    sn, name, uid = r.choice(users)
    rt = None
    if allow_rt and g.chance(0.15):
        rt = _status(g, idx + 1000, users, allow_rt=False)
    text, entities = _tweet_text(g, users, rt["user"]["screen_name"] if rt else None)
    reply = g.chance(0.25)
    reply_sid = g.u64_id() if reply else None
    reply_user = r.choice(users) if reply else None
    coords = None
    if g.chance(0.2):
        coords = {"type": "Point", "coordinates": [g.uniform(-180.0, 180.0), g.uniform(-90.0, 90.0)]}
    status = {
        "metadata": {"result_type": "recent", "iso_language_code": r.choice(_LANGS)},
        "created_at": _twitter_time(r.randrange(1_700_000_000, 1_780_000_000)),
        "id": sid,
        "id_str": str(sid),
        "text": text,
        "source": r.choice(_SOURCES),
        "truncated": False,
        "in_reply_to_status_id": reply_sid,
        "in_reply_to_status_id_str": str(reply_sid) if reply else None,
        "in_reply_to_user_id": reply_user[2] if reply_user else None,
        "in_reply_to_user_id_str": str(reply_user[2]) if reply_user else None,
        "in_reply_to_screen_name": reply_user[0] if reply_user else None,
        "user": _twitter_user(g, sn, name, uid),
        "geo": None,
        "coordinates": coords,
        "place": None,
        "contributors": None,
    }
    if rt is not None:
        status["retweeted_status"] = rt
    status.update({
        "retweet_count": (rt["retweet_count"] if rt else r.randrange(0, 50)) if g.chance(0.7) else r.randrange(0, 100_000),
        "favorite_count": r.randrange(0, 5000),
        "entities": entities,
        "favorited": g.chance(0.1),
        "retweeted": g.chance(0.1),
        "lang": r.choice(_LANGS),
    })
    if g.chance(0.3):
        status["possibly_sensitive"] = g.chance(0.1)
    return status


def _social(g: _Gen, target: int) -> dict:
    r = g.r
    users = []
    for i in range(4 if g.tiny else 120):
        users.append((g.handle(), g.person(), g.u64_id() if g.chance(0.3) else r.randrange(1, 2 ** 32)))
    statuses: List[dict] = []
    size = 300
    while True:
        st = _status(g, len(statuses), users, allow_rt=not g.tiny)
        s = _est(st) + 1
        if statuses and size + s > target:
            break
        statuses.append(st)
        size += s
        if size >= target:
            break
    max_id = statuses[0]["id"]
    since = g.u64_id()
    q = "%E4%B8%80"
    meta = {
        "completed_in": round(g.uniform(0.001, 0.5), 3),
        "max_id": max_id,
        "max_id_str": str(max_id),
        "next_results": "?max_id=%d&q=%s&count=%d&include_entities=1" % (statuses[-1]["id"] - 1, q, len(statuses)),
        "query": q,
        "refresh_url": "?since_id=%d&q=%s&include_entities=1" % (max_id, q),
        "count": len(statuses),
        "since_id": since,
        "since_id_str": str(since),
    }
    return {"statuses": statuses, "search_metadata": meta}


# --------------------------------------------------------------------------------------
# geometry.json (canada.json-like GeoJSON)
# --------------------------------------------------------------------------------------

_REGIONS = [
    ("Canada", -65.61361699999998, 43.42027300000001),
    ("Québec", -71.20798199999999, 46.81382800000002),
    ("Île-du-Prince-Édouard", -63.13661599999998, 46.23824500000001),
    ("Nunavut ᓄᓇᕗᑦ", -68.51978899999997, 63.74698300000002),
    ("Terre-Neuve", -52.71262100000001, 47.56149800000002),
]


def _ring(g: _Gen, lon: float, lat: float, n: int) -> list:
    r = g.r
    step = r.choice([0.001, 0.004, 0.01, 0.03])
    pts = [[lon, lat]]
    dlon = (r.random() - 0.5) * step
    dlat = (r.random() - 0.5) * step
    for _ in range(n - 2):
        # a drifting walk: direction changes a little at each step
        dlon = dlon * 0.8 + (r.random() - 0.5) * step
        dlat = dlat * 0.8 + (r.random() - 0.5) * step
        lon = lon + dlon
        lat = lat + dlat
        pts.append([_fl(lon), _fl(lat)])
    pts.append([pts[0][0], pts[0][1]])   # closed ring
    return pts


def _ring_bytes(ring: list) -> int:
    return sum(len(repr(p[0])) + len(repr(p[1])) + 4 for p in ring) + 2


def _geometry(g: _Gen, target: int) -> dict:
    r = g.r
    nfeat = 2 if g.tiny else 4
    per = target // nfeat
    features = []
    for fi in range(nfeat):
        name, lon0, lat0 = _REGIONS[fi % len(_REGIONS)]
        multi = fi % 2 == 1
        size = 0
        polys: List[list] = []
        while size < per:
            rings: List[list] = []
            nrings = r.randint(1, 3) if multi else r.randint(20, 60)
            for _ in range(nrings):
                if size >= per:
                    break
                n = r.randint(4, 12) if g.tiny else r.randint(4, 900)
                lon = _fl(lon0 + g.uniform(-3.0, 3.0))
                lat = _fl(lat0 + g.uniform(-2.0, 2.0))
                ring = _ring(g, lon, lat, n)
                rings.append(ring)
                size += _ring_bytes(ring)
            if rings:
                polys.append(rings)
            if not multi:
                break
        if multi:
            geom = {"type": "MultiPolygon", "coordinates": polys}
        else:
            geom = {"type": "Polygon", "coordinates": polys[0]}
        features.append({"type": "Feature", "properties": {"name": name, "id": fi + 1}, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------------------
# catalog.json (citm_catalog-like)
# --------------------------------------------------------------------------------------

_AREA_A = ["Arrière-scène", "1er balcon", "2ème balcon", "Parterre", "Fosse", "Loge", "Corbeille",
           "Galerie", "Mezzanine", "Orchestre", "Amphithéâtre", "Baignoire"]
_AREA_B = ["central", "cour", "jardin", "côté cour", "côté jardin", "face", "bergerie cour",
           "bergerie jardin", "gauche", "droite"]
_EVENT_A = ["Orchestre Philharmonique de Radio France", "Quatuor Ébène", "Récital de piano",
            "Les Arts Florissants", "Orchestre de Paris", "Concert du Nouvel An", "Ensemble intercontemporain",
            "Soirée Brahms", "Cycle Beethoven", "Jeune Public", "Chœur de chambre", "Musique de chambre"]
_EVENT_B = ["", " : Mahler", " - Schubert", " / Debussy", " — Ravel", " & Bartók", " (création)", " « Nuits »"]
_AUDIENCE = ["Abonné", "Adulte", "Jeune (moins de 28 ans)", "Senior", "Groupe", "Étudiant", "Famille", "Invité"]
_TOPICS = ["Jazz", "Musique classique", "Opéra", "Danse", "Musique contemporaine", "Récital",
           "Musique baroque", "Musiques du monde", "Chanson française", "Théâtre", "Cinéma"]
_VENUES = [("PLEYEL_PLEYEL", "Salle Pleyel"), ("PLEYEL_CHAMBRE", "Salle de chambre"),
           ("PHILHARMONIE_GRANDE", "Grande salle Pierre Boulez"), ("CITE_AMPHI", "Amphithéâtre de la Cité")]


def _ids(g: _Gen, n: int, start: int) -> List[int]:
    out, x = [], start
    for _ in range(n):
        x += g.r.randint(1, 4000)
        out.append(x)
    return out


def _catalog(g: _Gen, target: int) -> dict:
    r = g.r
    tiny = g.tiny
    area_ids = _ids(g, 6 if tiny else 60, 205_705_990)
    aud_ids = _ids(g, 3 if tiny else len(_AUDIENCE), 337_100_880)
    seat_ids = _ids(g, 4 if tiny else 64, 338_937_290)
    sub_ids = _ids(g, 4 if tiny else 30, 337_184_260)
    topic_ids = _ids(g, 3 if tiny else len(_TOPICS), 107_888_600)

    area_names = {str(a): r.choice(_AREA_A) + " " + r.choice(_AREA_B) for a in area_ids}
    aud_names = {str(a): _AUDIENCE[i % len(_AUDIENCE)] for i, a in enumerate(aud_ids)}
    seat_names = {str(s): r.choice(["Catégorie", "Cat.", "Zone", "Placement libre"]) + " " + str(i % 5 + 1)
                  for i, s in enumerate(seat_ids)}
    sub_names = {str(s): r.choice(_TOPICS) + " " + r.choice(["", "vocal", "symphonique", "soliste", "jeune public"])
                 for s in sub_ids}
    topic_names = {str(t): _TOPICS[i % len(_TOPICS)] for i, t in enumerate(topic_ids)}
    topic_sub = {str(t): sorted(r.sample(sub_ids, r.randint(1, min(4, len(sub_ids))))) for t in topic_ids}

    events: Dict[str, dict] = {}
    for eid in _ids(g, 3 if tiny else 180, 138_586_340):
        events[str(eid)] = {
            "description": None,
            "id": eid,
            "logo": ("/images/UE0AAAAA" + g.b62(16)) if g.chance(0.4) else None,
            "name": r.choice(_EVENT_A) + r.choice(_EVENT_B),
            "subTopicIds": sorted(r.sample(sub_ids, r.randint(1, min(5, len(sub_ids))))),
            "subjectCode": None,
            "subtitle": None if g.chance(0.9) else g.text(2, 6, latin=0.3, cjk=0.0, emoji=0.0, special=0.02),
            "topicIds": sorted(r.sample(topic_ids, r.randint(1, min(3, len(topic_ids))))),
        }
    doc = {
        "areaNames": area_names,
        "audienceSubCategoryNames": aud_names,
        "blockNames": {},
        "events": events,
        "performances": [],
        "seatCategoryNames": seat_names,
        "subTopicNames": sub_names,
        "subjectNames": {},
        "topicNames": topic_names,
        "topicSubTopics": topic_sub,
        "venueNames": dict(_VENUES),
    }
    size = _est(doc)
    event_ids = [e["id"] for e in events.values()]
    perfs = doc["performances"]
    pid = 339_187_000
    start = 1_767_225_600_000   # 2026-01-01
    while True:
        pid += r.randint(1, 500)
        start += r.randint(1, 96) * 1_800_000
        cats = sorted(r.sample(seat_ids, r.randint(1, min(5, len(seat_ids)))))
        prices = [{"amount": r.randrange(500, 25_000) * 10 if g.chance(0.5) else r.randrange(5, 250) * 250,
                   "audienceSubCategoryId": a, "seatCategoryId": c}
                  for c in cats for a in sorted(r.sample(aud_ids, r.randint(1, 2)))]
        seat_cats = [{"areas": [{"areaId": a, "blockIds": []}
                                for a in sorted(r.sample(area_ids, r.randint(1, min(12, len(area_ids)))))],
                      "seatCategoryId": c} for c in cats]
        venue = r.choice(_VENUES)[0]
        perf = {
            "eventId": r.choice(event_ids),
            "id": pid,
            "logo": ("/images/UE0AAAAA" + g.b62(16)) if g.chance(0.3) else None,
            "name": None,
            "prices": prices,
            "seatCategories": seat_cats,
            "seatMapImage": None,
            "start": start,
            "venueCode": venue,
        }
        s = _est(perf) + 1
        if perfs and size + s > target:
            break
        perfs.append(perf)
        size += s
    return doc


# --------------------------------------------------------------------------------------
# Typed messages (bench/json/typed/messages.h): orders, profiles, events
# --------------------------------------------------------------------------------------

_CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF", "SEK", "CNY", "BRL"]
_TAGS = ["gift", "express", "fragile", "b2b", "first-order", "vip", "café", "返品可", "🎁", 'say "hi"', "a/b-test"]
_COUPONS = ["WELCOME10", "SPRING-2025", "ÉTÉ-20", "FREESHIP", "VIP\\GOLD", "BLACK/FRIDAY", "🎉PARTY"]
_LANG_CODES = ["en", "fr", "de", "ja", "zh-Hant", "pt-BR", "es", "ko", "ar", "hi"]
_EVENT_TYPES = ["page_view", "click", "purchase", "login", "logout", "api.call", "file.upload", "error"]
_ACTOR_KINDS = ["user", "service", "bot", "admin"]
_REGIONS_AWS = ["eu-west-1", "us-east-1", "ap-northeast-1", "sa-east-1", "eu-central-1"]
_ATTR_KEYS = ["http.method", "http.route", "user_agent", "db.statement", "peer.service", "locale", "message", "path"]
_ERRORS = [
    'TimeoutError: upstream "payments" timed out after 30s',
    "IOError: C:\\data\\spool\\queue.db: access denied",
    "panic: index out of range [5] with length 5\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:12",
    "ValueError: invalid literal for int() with base 10: 'dix-huit'",
    "Fehler: Datei „bericht.pdf“ nicht gefunden",
    "エラー: 接続がタイムアウトしました",
    "segfault 💥 at 0x0000dead",
]


def _ulong(g: _Gen, idx: int) -> int:
    """uint64 ids: mostly above 2^53, some above 2^63, a few small."""
    if g.chance(0.05):
        return g.r.randrange(1, 2 ** 32)
    return g.u64_id(force_high=(idx % 16 == 1))


def _opt(g: _Gen, make: Callable[[], object]):
    return None if g.chance(P_NULL) else make()


def _msg_target(g: _Gen) -> int:
    r = g.r
    if g.tiny:
        return r.randint(150, 900)
    x = r.random()
    if x < 0.05:
        return r.randint(100, 300)
    if x < 0.86:
        return r.randint(300, 3000)
    if x < 0.93:
        return r.randint(3000, 8000)
    return r.randint(8000, 9700)


def _address(g: _Gen) -> dict:
    r = g.r
    street = "%d %s" % (r.randint(1, 250), r.choice(STREETS))
    if g.chance(0.15):
        street += r.choice(["\nBâtiment B", "\nc/o \"Reception\"", "\tApt 4", ", 3F\\West"])
    return {
        "name": g.person(),
        "street": street,
        "city": r.choice(CITIES),
        "postcode": _opt(g, lambda: r.choice(["75011", "8001", "SW1A 1AA", "100-0001", "H2X 1Y4", "01310-100"])),
        "country": r.choice(COUNTRIES),
    }


def _line_item(g: _Gen) -> dict:
    r = g.r
    qty = r.randint(1, 50) if g.chance(0.3) else r.randint(1, 5)
    price = round(g.uniform(0.5, 500.0) if g.chance(0.8) else g.uniform(500.0, 5000.0), 2)
    return {
        "sku": "SKU-%04d-%s" % (r.randrange(10000), g.b62(3).upper()),
        "title": g.text(1, 7, latin=0.15, cjk=0.1, emoji=0.06, special=0.08),
        "quantity": qty,
        "unit_price": price,
        "discount": _opt(g, lambda: _fl(round(g.uniform(0.0001, qty * price * 0.3), 4))),
    }


def _order_total(items: List[dict]) -> float:
    # A plain left-to-right loop, not sum(): Python 3.12's sum() of floats uses
    # compensated summation and would change the last bit on some orders.
    t = 0.0
    for it in items:
        t += it["quantity"] * it["unit_price"] - (it["discount"] or 0.0)
    return _fl(round(t, 2))


def _order(g: _Gen, idx: int, target: int) -> dict:
    r = g.r
    msg = {
        "id": _ulong(g, idx),
        "customer_id": _ulong(g, idx + 3),
        "created_at_ms": g.ts_ms(),
        "currency": r.choice(_CURRENCIES),
        "items": [],
        "total": 0.0,
        "paid": g.chance(0.8),
        "coupon": _opt(g, lambda: r.choice(_COUPONS)),
        "note": _opt(g, lambda: r.choice(["", "Leave at the \"back door\"", "Code: 12\\34\nRing twice"])
                     + " " + g.text(0, 12, special=0.1)),
        "tags": [r.choice(_TAGS) for _ in range(r.randint(0, 5))],
        "shipping": _address(g),
    }
    if not g.chance(0.03):
        size = _est(msg)
        while True:
            it = _line_item(g)
            s = _est(it) + 1
            if msg["items"] and size + s > target:
                break
            msg["items"].append(it)
            size += s
    msg["total"] = _order_total(msg["items"])
    return msg


def _shrink_order(msg: dict) -> bool:
    if not msg["items"]:
        return False
    msg["items"].pop()
    msg["total"] = _order_total(msg["items"])
    return True


def _profile(g: _Gen, idx: int, target: int) -> dict:
    r = g.r
    emoji = r.choice(EMOJI)
    display = r.choice([g.person(), g.person() + " " + emoji, emoji + " " + r.choice(CJK_WORDS) + " " + emoji,
                        r.choice(FIRST_NAMES) + " 𝓜𝓪𝓻𝓲𝓮", g.person()])
    followers = r.randrange(0, 50_000_000) if g.chance(0.97) else r.randrange(2 ** 32, 2 ** 40)
    msg = {
        "id": _ulong(g, idx),
        "handle": g.handle(),
        "display_name": display,
        "bio": "",
        "verified": g.chance(0.1),
        "followers": followers,
        "following": r.randrange(0, 10_000),
        "score": _fl(round(g.uniform(0.0, 100.0), 4)),
        "languages": [r.choice(_LANG_CODES) for _ in range(r.randint(0, 4))],
        "website": _opt(g, lambda: g.url().rstrip("/") + r.choice(["", "/~me/", "/blog/"])),
        "location": _opt(g, lambda: {"lat": _fl(round(g.uniform(-90.0, 90.0), 7)),
                                      "lon": _fl(round(g.uniform(-180.0, 180.0), 7))}),
        "created_at_ms": g.ts_ms(),
    }
    room = target - _est(msg)
    bio: List[str] = []
    size = 0
    while size < room or not bio:
        s = g.sentence()
        if g.chance(0.1):
            s += r.choice([' He said "hello".', " Path: C:\\Users\\me\\", "\tTabbed.", " 1/2 done."])
        bio.append(s)
        size += _est(s) - 1
    msg["bio"] = " ".join(bio).strip(" ")
    return msg


def _shrink_profile(msg: dict, over: int) -> bool:
    bio = msg["bio"]
    if len(bio) <= 1:
        return False
    msg["bio"] = bio[:max(1, len(bio) - max(1, over))]
    return True


_SCALES = [1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 1e6, 1e9, 1e12, 1e15, 1e20, 1e100, 1e-100]


def _value(g: _Gen) -> float:
    r = g.r
    x = r.random()
    if x < 0.08:
        return r.choice([0.0, 0.1, 0.5, 1.0, -1.0, 100.0, 0.30000000000000004, 3.141592653589793, 2.718281828459045])
    if x < 0.16:
        return float(r.randrange(-100_000, 100_000))
    scale = r.choice(_SCALES)
    return _fl((r.random() * 2.0 - 1.0) * scale)


def _event(g: _Gen, idx: int, target: int) -> dict:
    r = g.r
    attrs = []
    for _ in range(r.randint(0, 4)):
        key = r.choice(_ATTR_KEYS)
        if any(a["key"] == key for a in attrs):
            continue
        attrs.append({"key": key, "value": g.text(1, 6, latin=0.1, cjk=0.1, emoji=0.05, special=0.1)})
    msg = {
        "id": _ulong(g, idx),
        "type": r.choice(_EVENT_TYPES),
        "ts_ms": g.ts_ms(),
        "actor": {
            "id": _ulong(g, idx + 5),
            "kind": r.choice(_ACTOR_KINDS),
            "ip": _opt(g, lambda: ("%d.%d.%d.%d" % tuple(r.randrange(256) for _ in range(4))) if g.chance(0.7)
                       else "2001:db8:%x::%x" % (r.randrange(65536), r.randrange(65536))),
        },
        "metadata": {
            "trace_id": g.hexstr(32),
            "span_id": _ulong(g, idx + 7),
            "region": r.choice(_REGIONS_AWS),
            "sampled": g.chance(0.5),
            "retries": r.randint(0, 5),
            "attributes": attrs,
        },
        "values": [],
        "error": _opt(g, lambda: r.choice(_ERRORS)),
    }
    size = _est(msg)
    values = msg["values"]
    while True:
        v = _value(g)
        s = len(repr(v)) + 1
        if size + s > target:
            break
        values.append(v)
        size += s
    return msg


def _shrink_event(msg: dict) -> bool:
    if msg["values"]:
        msg["values"].pop()
        return True
    if msg["metadata"]["attributes"]:
        msg["metadata"]["attributes"].pop()
        return True
    return False


_MESSAGES = {
    "orders.jsonl": (_order, lambda m, over: _shrink_order(m)),
    "profiles.jsonl": (_profile, _shrink_profile),
    "events.jsonl": (_event, lambda m, over: _shrink_event(m)),
}


def _jsonl(name: str, g: _Gen, w: Writer, count: int) -> bytes:
    make, shrink = _MESSAGES[name]
    lines: List[bytes] = []
    for idx in range(count):
        msg = make(g, idx, _msg_target(g))
        snap = w.snapshot()
        while True:
            line = w.dumps(msg).encode("utf-8")
            if len(line) <= MSG_MAX_BYTES:
                break
            w.restore(snap)
            if not shrink(msg, len(line) - MSG_MAX_BYTES):
                raise AssertionError("%s: message %d cannot be shrunk below %d bytes" % (name, idx, MSG_MAX_BYTES))
        if len(line) < MSG_MIN_BYTES:
            raise AssertionError("%s: message %d is %d bytes" % (name, idx, len(line)))
        lines.append(line + b"\n")
    return b"".join(lines)


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------

def _rng(seed: int, name: str, suffix: str = "") -> random.Random:
    return random.Random("%d:%s%s" % (seed, name, suffix))


def generate_file(name: str, profile: str = "default", seed: int = DEFAULT_SEED) -> bytes:
    """Returns the bytes of corpus file ``name`` for ``profile`` and ``seed``."""
    if name not in FILES:
        raise ValueError("unknown corpus file %r (expected one of %s)" % (name, ", ".join(FILES)))
    if profile not in PROFILES:
        raise ValueError("unknown profile %r (expected one of %s)" % (profile, ", ".join(PROFILES)))
    seed = int(seed)
    if name.endswith(".oracleGeneral"):
        return _trace(_rng(seed, name), *_TRACE_SHAPE[profile])
    # social_pretty.json is the same document as social.json: same content and escape streams.
    base = "social.json" if name == "social_pretty.json" else name
    g = _Gen(_rng(seed, base), profile)
    w = Writer(_rng(seed, base, ":escape"))
    if name.endswith(".jsonl"):
        return _jsonl(name, g, w, _JSONL_COUNT[profile])
    target = _TARGETS[profile][base]
    if base == "social.json":
        doc = _social(g, target)
    elif base == "geometry.json":
        doc = _geometry(g, target)
    else:
        doc = _catalog(g, target)
    if name == "social_pretty.json":
        return (w.dumps(doc, pretty=True) + "\n").encode("utf-8")
    return w.dumps(doc).encode("utf-8")


def _trace(rng: random.Random, objects: int, requests: int) -> bytes:
    """A request trace in libCacheSim's oracleGeneral format (little-endian records of u32 timestamp,
    u64 object id, u32 object size, i64 index of the object's next request or -1): requests drawn
    from a Zipf(1) popularity over `objects` objects, each object with one size from 64 B to 64 KiB
    (a power of two plus up to 63 bytes), 50 requests per second of trace time. Zipf's exponent is 1
    so that the weights 1/rank are correctly rounded divisions (the determinism rules above)."""
    import bisect
    import struct

    cumulative, total = [], 0.0
    for rank in range(1, objects + 1):
        total += 1.0 / rank
        cumulative.append(total)
    # Object ids spread over 64 bits (a fixed odd multiplier) and sizes: fixed per object.
    ids = [(rank * 0x9E3779B97F4A7C15 + 1) % (1 << 64) for rank in range(objects)]
    sizes = [(1 << rng.randint(6, 16)) + rng.randrange(64) for _ in range(objects)]
    drawn = [min(bisect.bisect_left(cumulative, rng.random() * total), objects - 1) for _ in range(requests)]
    next_at, seen = [-1] * requests, {}
    for i in range(requests - 1, -1, -1):
        next_at[i] = seen.get(drawn[i], -1)
        seen[drawn[i]] = i
    record = struct.Struct("<IQIq")
    return b"".join(record.pack(i // 50, ids[o], sizes[o], next_at[i]) for i, o in enumerate(drawn))


def default_out_dir(profile: str = "default") -> pathlib.Path:
    return DATA_DIR / ("corpus" if profile == "default" else "corpus-" + profile)


def load_manifest(path: Optional[pathlib.Path] = None) -> dict:
    """The committed manifest, or an empty one if the file does not exist."""
    path = pathlib.Path(path) if path is not None else MANIFEST_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"generator": GENERATOR_NAME, "seed": DEFAULT_SEED, "profiles": {}}
    except OSError as e:
        raise CorpusError("cannot read %s: %s" % (_show(path), e.strerror or e)) from None
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
            raise ValueError("missing 'profiles' object")
    except ValueError as e:
        raise CorpusError("invalid manifest %s: %s" % (_show(path), e)) from None
    return data


def _expected(manifest: dict, profile: str, seed: int) -> Optional[Dict[str, dict]]:
    if manifest.get("seed") != seed:
        return None
    entry = manifest["profiles"].get(profile)
    return entry if isinstance(entry, dict) else None


def _sha256_file(path: pathlib.Path) -> Optional[str]:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise CorpusError("%s: is a directory, expected a corpus file" % _show(path)) from None
    except OSError as e:
        raise CorpusError("cannot read %s: %s" % (_show(path), e.strerror or e)) from None
    return h.hexdigest()


def _show(path: pathlib.Path) -> str:
    """path relative to the current directory when it is below it, else absolute."""
    p = os.path.abspath(str(path))
    cwd = os.getcwd()
    if p == cwd:
        return "."
    if p.startswith(cwd.rstrip(os.sep) + os.sep):
        return p[len(cwd.rstrip(os.sep)) + 1:]
    return p


def _mkdir(out_dir: pathlib.Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise CorpusError("cannot use %s as output directory: not a directory" % _show(out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CorpusError("cannot create output directory %s: %s" % (_show(out_dir), e.strerror or e)) from None
    if not out_dir.is_dir():
        raise CorpusError("cannot use %s as output directory: not a directory" % _show(out_dir))


_tmp_counter = 0


def _write_atomic(path: pathlib.Path, data: bytes) -> None:
    """Writes data to a temporary file next to path, then renames it over path."""
    global _tmp_counter
    _tmp_counter += 1
    tmp = path.parent / (".%s.%d.%d.tmp" % (path.name, os.getpid(), _tmp_counter))
    created = False
    try:
        fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        created = True
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(str(tmp), str(path))
        created = False
    except OSError as e:
        raise CorpusError("cannot write %s: %s" % (_show(path), e.strerror or e)) from None
    finally:
        if created:
            try:
                os.unlink(str(tmp))
            except OSError:
                pass


def _resolve(out_dir, profile: str, seed) -> Tuple[pathlib.Path, int]:
    if profile not in PROFILES:
        raise CorpusError("unknown profile %r (expected one of %s)" % (profile, ", ".join(PROFILES)))
    out = pathlib.Path(out_dir) if out_dir is not None else default_out_dir(profile)
    return out, int(seed)


def _sync(out_dir, profile: str, seed, log: Callable[[str], None], warn: Callable[[str], None]):
    """Generates missing/mismatching files. Returns (paths, names that still differ from the manifest)."""
    out, seed = _resolve(out_dir, profile, seed)
    expected = _expected(load_manifest(), profile, seed)
    _mkdir(out)
    if expected is None:
        warn("note: no manifest entry for profile %r with seed %d: existing files in %s are not verified, "
             "only missing files are generated" % (profile, seed, _show(out)))
    paths, stale = [], []
    for name in FILES:
        path = out / name
        paths.append(path)
        want = (expected or {}).get(name, {}).get("sha256")
        have = _sha256_file(path)
        if have is not None and (want is None or have == want):
            log("ok        %s" % _show(path))
            continue
        data = generate_file(name, profile, seed)
        _write_atomic(path, data)
        log("generated %s (%d bytes)%s" % (_show(path), len(data), "" if have is None else ", was different"))
        if want is not None and hashlib.sha256(data).hexdigest() != want:
            stale.append(name)
            warn("warning: %s: freshly generated bytes do not match data/manifest.json "
                 "(generator changed without --update-manifest?)" % _show(path))
    return paths, stale


def ensure_corpus(out_dir: Optional[pathlib.Path] = None, profile: str = "default",
                  seed: int = DEFAULT_SEED, *, log: Optional[Callable[[str], None]] = None) -> List[pathlib.Path]:
    """Generates the corpus files that are missing or differ from the manifest.

    Returns the paths of all corpus files, in FILES order. Progress lines go to
    ``log`` (default: stderr; pass ``lambda s: None`` for silence). Raises
    CorpusError on I/O problems (unwritable directory, unreadable manifest, ...).
    """
    if log is None:
        def log(s: str) -> None:
            print(s, file=sys.stderr)
    paths, _ = _sync(out_dir, profile, seed, log, log)
    return paths


def check_corpus(out_dir: Optional[pathlib.Path] = None, profile: str = "default",
                 seed: int = DEFAULT_SEED) -> List[Tuple[str, str]]:
    """Returns [(file name, problem)] for missing or mismatching files; [] if all fine.

    Compares with the manifest when it has an entry for this profile and seed,
    else with freshly generated bytes.
    """
    out, seed = _resolve(out_dir, profile, seed)
    expected = _expected(load_manifest(), profile, seed)
    problems = []
    for name in FILES:
        path = out / name
        have = _sha256_file(path)
        if have is None:
            problems.append((name, "missing"))
            continue
        want = (expected or {}).get(name, {}).get("sha256")
        if want is None:
            want = hashlib.sha256(generate_file(name, profile, seed)).hexdigest()
        if have != want:
            problems.append((name, "sha256 %s, expected %s" % (have[:16], want[:16])))
    return problems


def update_manifest(out_dir: Optional[pathlib.Path] = None, profile: str = "default",
                    seed: int = DEFAULT_SEED, log: Callable[[str], None] = print) -> dict:
    """Regenerates every file of ``profile`` and records it in data/manifest.json."""
    out, seed = _resolve(out_dir, profile, seed)
    manifest = load_manifest()
    if seed != DEFAULT_SEED:
        raise CorpusError("--update-manifest records seed %d only (got --seed %d)" % (DEFAULT_SEED, seed))
    _mkdir(out)
    entry = {}
    for name in FILES:
        data = generate_file(name, profile, seed)
        _write_atomic(out / name, data)
        entry[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        log("generated %s (%d bytes)" % (_show(out / name), len(data)))
    profiles = {p: manifest["profiles"][p] for p in PROFILES if p in manifest["profiles"] and p != profile}
    profiles[profile] = entry
    new = {"generator": GENERATOR_NAME, "seed": DEFAULT_SEED,
           "profiles": {p: profiles[p] for p in PROFILES if p in profiles}}
    _write_atomic(MANIFEST_PATH, (json.dumps(new, indent=2) + "\n").encode("utf-8"))
    log("updated %s (profile %s)" % (_show(MANIFEST_PATH), profile))
    return new


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="generate.py", description="Generate hotbench's deterministic JSON benchmark corpus.")
    ap.add_argument("--out", type=pathlib.Path, default=None,
                    help="output directory (default: data/corpus, or data/corpus-tiny for --profile tiny)")
    ap.add_argument("--profile", choices=PROFILES, default="default")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default: %(default)s")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="only verify the files; exit 1 naming each missing or mismatching file")
    mode.add_argument("--update-manifest", action="store_true",
                      help="regenerate every file and record it in data/manifest.json")
    args = ap.parse_args(argv)

    def err(s: str) -> None:
        print(s, file=sys.stderr)

    try:
        if args.check:
            problems = check_corpus(args.out, args.profile, args.seed)
            out, _ = _resolve(args.out, args.profile, args.seed)
            bad = {n for n, _ in problems}
            for name in FILES:
                if name not in bad:
                    print("ok        %s" % _show(out / name))
            for name, what in problems:
                err("MISMATCH  %s: %s" % (_show(out / name), what) if what != "missing"
                    else "MISSING   %s" % _show(out / name))
            if problems:
                err("generate.py: %d corpus file(s) missing or different; run python3 data/generate.py%s"
                    % (len(problems), "" if args.profile == "default" else " --profile " + args.profile))
                return 1
            return 0
        if args.update_manifest:
            update_manifest(args.out, args.profile, args.seed)
            return 0
        _, stale = _sync(args.out, args.profile, args.seed, print, err)
        return 1 if stale else 0
    except CorpusError as e:
        err("generate.py: error: %s" % e)
        return 2
    except KeyboardInterrupt:
        err("generate.py: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
