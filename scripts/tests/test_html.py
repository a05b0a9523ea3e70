"""`hotbench report --html`: one self-contained, escaped, offline HTML page, checked as text, as
parsed HTML, and as rendered by headless Chromium."""

import collections
import html.parser
import pathlib
import re
import subprocess

import pytest

from hotbench import cli, html_report as report_html, tidy

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "plot"  # a result set: results.csv + metadata.json
CHROMIUM = pathlib.Path("/usr/bin/chromium")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class TagChecker(html.parser.HTMLParser):
    """Well-formed enough: every opened element is closed, in order; counts tags and ids."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.tags, self.ids = [], [], collections.Counter(), collections.Counter()
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.ids.update(v for k, v in attrs if k == "id")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] += 1
        self.ids.update(v for k, v in attrs if k == "id")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> TagChecker:
    checker = TagChecker()
    checker.feed(page)
    checker.close()
    assert checker.problems == [] and checker.stack == []
    return checker


@pytest.fixture(scope="module")
def fixture_page(tmp_path_factory):
    """The fixture's report, written once through the CLI: (path, text)."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert cli.main(["report", str(FIXTURE), "-o", str(out)]) == 0
    return out, out.read_text(encoding="utf-8")


def test_report_is_one_well_formed_page(fixture_page):
    path, page = fixture_page
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]  # no side files, no temp left behind
    checker = parse(page)
    assert checker.tags["html"] == 1 and checker.tags["svg"] == 3  # parse, serialize, limit inline
    assert "hotbench report: 20261121T000000Z-fixture" in page.split("</title>")[0]
    duplicated = [i for i, n in checker.ids.items() if n > 1]
    assert duplicated == []  # each inline SVG's definitions are renamed apart


def test_errors_section_lists_every_error_row(fixture_page):
    _, page = fixture_page
    errors = page.split('<section class="errors" id="errors">')[1].split("</section>")[0]
    assert errors.count('<tr class="error">') == 4
    assert "data/large.json: byte 1234: syntax error while parsing value" in errors
    assert "parse error at byte 1234 of data/large.json: Invalid value" in errors
    assert page.index('id="errors"') < page.index('id="figures"')  # before the figures, not after
    assert "2 of 14 benchmarks failed" in page


def test_findings_metadata_and_tables(fixture_page):
    _, page = fixture_page
    assert "Findings: 2 benchmarks with number mismatches" in page
    for fact in ("Intel(R) Xeon(R) Processor", "bf35954ce15c7e230079fd10d3ca57975679df65",
                 "8315970c0d3f5234db34a4239a4d67b7418aab2e28cea8b26e3601712c7cbc67", "rapidjson", "1.1.0",
                 "git dirty", "L2 unified 2048 KiB"):
        assert fact in page
    assert page.count("Table behind this figure") == 3
    assert "<th>median [MB/s (10^6 B/s)]</th><th>min [MB/s (10^6 B/s)]</th>" in page  # the unit as declared
    assert "<th>n</th>" in page


def test_nothing_is_loaded_from_the_network(fixture_page):
    _, page = fixture_page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", page, re.I)
    assert "<!DOCTYPE svg" not in page  # matplotlib's SVG doctype names a w3.org DTD
    checker = parse(page)
    assert checker.tags["script"] == 0 and checker.tags["link"] == 0 and checker.tags["img"] == 0
    # What is left of http in the page: SVG namespace declarations, which fetch nothing.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg",
                                                              "http://www.w3.org/1999/xlink"}


def test_data_is_escaped(tmp_path):
    rows, meta = tidy.load_rows(FIXTURE)
    evil = '<script>alert("pwned")</script>'
    for r in rows:
        if r["library"] == "nlohmann":
            r["library"] = f"nl{evil}$x"
            r["benchmark"] = f"json/{r['task']}/nl{evil}$x/{r['dataset']}"
            if r["status"] == "error":
                r["error_message"] = f"{evil} at byte 1 & more"
    meta = dict(meta, libraries={"evil": evil})
    out = tmp_path / "evil.html"
    report_html.write_report(out, rows, meta, source=tmp_path / f"dir{evil}")
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; at byte 1 &amp; more" in page
    checker = parse(page)
    assert checker.tags["script"] == 0
    assert evil in "".join(checker.text)  # shown as text, faithfully


def test_a_csv_input_and_an_all_error_input_still_give_a_report(tmp_path):
    rows, _ = tidy.load_rows(FIXTURE)
    csv = tmp_path / "errors.csv"
    tidy.write_csv(csv, [r for r in rows if r["status"] == "error"])
    out = tmp_path / "errors.html"
    assert cli.main(["report", str(csv), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    parse(page)
    assert "nothing to plot: all 4 rows are error rows" in page
    assert "No metadata" in page and 'id="errors"' in page


def test_a_missing_output_folder_is_a_one_line_error(tmp_path, capsys):
    assert cli.main(["report", str(FIXTURE), "-o", str(tmp_path / "no" / "such" / "report.html")]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no folder" in err


def test_chromium_renders_the_page(fixture_page, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium); ./hotbench test installs it")
    import matplotlib.image
    import numpy

    path, _ = fixture_page
    screenshot = tmp_path / "page.png"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={screenshot}", "--window-size=1280,2000",
               path.resolve().as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr[-2000:]
    pixels = matplotlib.image.imread(screenshot)[:, :, :3]
    assert pixels.shape[:2] == (2000, 1280)
    not_white = (pixels < 0.95).any(axis=2).mean()
    rgb = (pixels * 255).round().astype(numpy.uint32)
    colours = len(numpy.unique(rgb[:, :, 0] << 16 | rgb[:, :, 1] << 8 | rgb[:, :, 2]))  # 1-D: fast
    assert not_white > 0.03 and colours > 50, (not_white, colours)
    # The errors box is drawn: its pale red background (#fdecea) covers a visible area.
    pale_red = (numpy.abs(pixels - numpy.array([0xfd, 0xec, 0xea]) / 255) < 0.02).all(axis=2).mean()
    assert pale_red > 0.005, pale_red


def test_each_suite_opens_with_its_answers(fixture_page):
    """The json section starts with the answer table (best, runner-up, ratio, floor), then the figures."""
    _, page = fixture_page
    section = page.split('<section id="suite-json">')[1].split("</section>")[0]
    assert section.index("<h3>Answers</h3>") < section.index("<figure>")
    answers = section.split('<table class="answers">')[1].split("</table>")[0]
    # parse on "large": 4 error rows left out (and counted); simdjson:dom beats rapidjson 3.65x;
    # memcpy of the same dataset is the floor, 13.89x faster than the best
    large = next(line for line in answers.splitlines() if "<td>large</td>" in line and "\u00d73.65" in line)
    for cell in ("simdjson:dom", "1,800 MB/s", "rapidjson", "memcpy: 25,000 MB/s", "\u00d713.89", "4 of 12"):
        assert f">{cell}</td>" in large, cell
    assert answers.count("is the floor") == 2  # the limit task, one line per dataset
    assert '<a href="#suite-json">json</a>' in page


def test_suites_come_json_cache_queue_then_the_others(tmp_path):
    rows = []
    for i, suite in enumerate(("zeta", "queue", "alpha", "json", "cache")):
        rows.append({"schema_version": 1, "run_id": "t", "benchmark": f"{suite}/t/x/d", "suite": suite, "task": "t",
                     "library": "x", "variant": "", "dataset": "d", "params": "", "threads": 1, "repetition": 0,
                     "process": 0, "label": "", "status": "ok", "error_message": "", "ops_per_s": 1.0 + i})
    page = report_html.render_report(rows, {}, source="synthetic")
    parse(page)
    found = re.findall(r'<section id="suite-([a-z]+)">', page)
    assert found == ["json", "cache", "queue", "alpha", "zeta"]
    assert page.index('<section id="suite-json">') < page.index('id="validation"')
