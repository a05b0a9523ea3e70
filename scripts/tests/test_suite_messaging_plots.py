"""suites/messaging.py's figures, drawn from real rows: fixtures/messaging is the ping_pong, open_loop and fan_out
rows of a default `./hotbench run --suite messaging` (release build; docs/messaging.md, Figures).
fixtures/messaging_throughput and fixtures/messaging_faults are the Google Benchmark JSON (its repetitions, the
aggregates left out) of the release binary run on its own: the throughput rows at 1/1 and three sizes, and
the fault and consumer_fault rows, one of them an error row that lost acknowledged messages."""

import copy
import pathlib
import statistics

import pytest

from hotbench import gbench, plot, tidy
from hotbench.suites import messaging as suite_messaging
from test_plot_reference import empty_panels

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "messaging"


@pytest.fixture(scope="module")
def real():
    return tidy.load_rows(FIXTURE)


def gbench_rows(name):
    path = FIXTURES / name / "gbench.json"
    return tidy.rows_from_gbench(gbench.load(path), "fixture", source=path)


@pytest.fixture(scope="module")
def throughput():
    return gbench_rows("messaging_throughput")


@pytest.fixture(scope="module")
def faults():
    return gbench_rows("messaging_faults")


def medians(rows, task, column):
    """(implementation transport) -> median of `column` over the ok repetitions, computed here on its own."""
    cells = {}
    for r in rows:
        if r["task"] == task and r["status"] == "ok":
            cells.setdefault(f"{plot.implementation(r)} {r['dataset']}", []).append(float(r[column]))
    return {k: statistics.median(v) for k, v in cells.items()}


def figures(rows):
    return {p.name: p for p in suite_messaging.plots(rows, plot.palette(plot.implementation(r) for r in rows), "")}


def test_the_fixture_is_a_real_default_run_with_floors_brokers_and_a_lossy_fan_out(real):
    rows, meta = real
    ping = medians(rows, "ping_pong", "p50_ns")
    # the floors and the brokers of the default run: the ladder is filled by it
    assert {"queue:mutex_cv inproc", "socket ipc", "socket tcp", "zeromq:req_rep inproc", "nats:core tcp", "redis:streams tcp",
            "mqtt:qos1 tcp", "nats:jetstream tcp"} <= set(ping)
    assert medians(rows, "fan_out", "delivered_ratio")["zeromq:pub_sub inproc"] < 1


def test_the_ladder_has_every_ping_pong_rung_fastest_first_on_a_log_axis(real):
    rows, _ = real
    ladder = figures(rows)["messaging_latency_ladder"]
    ping = medians(rows, "ping_pong", "p50_ns")
    table = [r for r in ladder.table.rows if r[0] == "ping_pong"]
    assert [r[1] for r in table] == sorted(ping, key=lambda k: (ping[k], k))  # every rung, by p50
    assert all(r[2] == "64 B" for r in table)
    ping_ax, loop_ax = ladder.figure.axes[:2]
    assert ping_ax.get_xscale() == "log" and ping_ax.get_title(loc="left").startswith("ping_pong")
    assert [t.get_text() for t in ping_ax.get_yticklabels()] == [r[1] for r in table]
    # the floors below the brokers: an in-process hand-off and a raw Unix socket round trip beat every broker's
    brokers = min(v for k, v in ping.items() if k.split(":")[0] in ("nats", "redis", "mqtt"))
    assert ping["queue:mutex_cv inproc"] < brokers and ping["socket ipc"] < brokers
    # p50 <= p99 <= p99.9 <= max on every rung drawn
    for cell in {r[1]: r for r in table}.values():
        values = [float(v.replace(",", "")) for v in cell[3:7]]
        assert values == sorted(values)
    loop = [r for r in ladder.table.rows if r[0] == "open_loop"]
    assert loop and all(r[2] == "64 B, 10,000 messages/s offered" for r in loop)
    assert loop_ax.get_title(loc="left").startswith("open_loop")
    assert not ladder.errors


def test_every_messaging_figure_has_data_in_every_panel(real):
    rows, meta = real
    plots, notes = plot.build_plots(rows, meta, caption_in_figure=False)
    mine = [p for p in plots if p.suite == "messaging"]
    assert {"messaging_latency_ladder", "messaging_fan_out_delivery"} <= {p.name for p in mine}
    assert empty_panels(mine) == [] and notes == []


def test_an_error_row_is_named_and_keeps_its_rung(real):
    rows, _ = real
    rows = copy.deepcopy(rows)
    broken = [r for r in rows if r["task"] == "ping_pong" and plot.implementation(r) == "mqtt:qos1"]
    for r in broken:
        r.update(status="error", error_message="watchdog: no progress for 10 s (round trips done: 3 of 300)",
                 p50_ns=None, p99_ns=None, p999_ns=None, max_ns=None)
    ladder = figures(rows)["messaging_latency_ladder"]
    last = [r for r in ladder.table.rows if r[0] == "ping_pong"][-1]
    assert last[1] == "mqtt:qos1 tcp" and last[-1].startswith("3 of 3 repetitions errored")
    assert any("watchdog" in e for e in ladder.errors)
    assert empty_panels([ladder]) == []


def test_fan_out_shows_what_each_subscriber_received_beside_what_was_sent(real):
    rows, meta = real
    fan = figures(rows)["messaging_fan_out_delivery"]
    cells = {r[0]: r for r in fan.table.rows}
    lossy, whole = cells["zeromq:pub_sub inproc subscribers=2"], cells["nats:core tcp subscribers=2"]
    number = lambda text: float(text.replace(",", ""))  # noqa: E731
    assert number(lossy[2]) < number(lossy[1]) and float(lossy[3]) < 1  # received per subscriber < sent
    assert float(whole[3]) == 1
    assert any(t.get_text().endswith("received") for t in fan.figure.axes[0].texts)
    # the per-task fan_out figure and the summary draw the received rate, not the sent one
    assert plot.main_metric("fan_out", [r for r in rows if r["task"] == "fan_out"], None) == \
        "delivered_per_subscriber_per_s"


def test_smoke_checks_find_a_delivered_ratio_that_is_not_delivered_over_sent(real, monkeypatch):
    rows, _ = real
    monkeypatch.setattr(suite_messaging, "BAD_SETTINGS", {})
    counted = [r for r in rows if r["task"] in suite_messaging.COUNTED]
    assert suite_messaging.smoke_checks(None, counted, None) == []
    bad = copy.deepcopy(next(r for r in counted if r["task"] == "fan_out"))
    bad["delivered_ratio"] = 1.0 if bad["delivered_ratio"] < 1 else 0.5
    problems = suite_messaging.smoke_checks(None, [bad], None)
    assert len(problems) == 1 and "delivered_ratio" in problems[0]


def test_fan_out_numbers_come_from_one_repetition_the_one_with_the_median_send_rate(real):
    rows, _ = real
    fan = figures(rows)["messaging_fan_out_delivery"]
    for name, sent, got, share, _, _ in fan.table.rows:
        implementation, transport, _ = name.split(" ")
        cell = sorted((r for r in rows if r["task"] == "fan_out" and plot.implementation(r) == implementation
                       and r["dataset"] == transport and r["status"] == "ok"), key=lambda r: r["ops_per_s"])
        middle = cell[(len(cell) - 1) // 2]
        assert (sent, got, share) == (plot.format_value(middle["ops_per_s"]),
                                      plot.format_value(middle["delivered_per_subscriber_per_s"]),
                                      f"{middle['delivered_ratio']:.4f}")


def number(text):
    return float(text.replace(",", ""))


def test_throughput_by_size_draws_one_line_per_system_and_transport_with_the_medians(throughput):
    by_size = figures(throughput)["messaging_throughput_by_size"]
    ops_ax, mb_ax = by_size.figure.axes[:2]
    cells = {}
    for r in throughput:
        if r["task"] == "throughput" and r["status"] == "ok" and r["producers"] == 1 and r["consumers"] == 1:
            cells.setdefault((f"{plot.implementation(r)} {r['dataset']}", r["message_bytes"]), []).append(r)
    names = {name for name, _ in cells}
    assert {"queue:mutex_cv inproc", "socket ipc", "redis:streams tcp", "nats:core tcp"} <= names
    for ax, column in ((ops_ax, "ops_per_s"), (mb_ax, "message_mb_per_s")):
        assert ax.get_xscale() == "log"
        lines = {line.get_label(): line for line in ax.lines}
        assert set(lines) == names
        for name, line in lines.items():
            sizes = sorted(size for n, size in cells if n == name)
            assert list(line.get_xdata()) == sizes == [64, 1024, 16384]
            assert list(line.get_ydata()) == pytest.approx(
                [statistics.median(r[column] for r in cells[(name, size)]) for size in sizes])
    # decimal MB/s: the payload bytes of the messages delivered per second
    row = cells[("socket ipc", 16384)][0]
    assert row["message_mb_per_s"] == pytest.approx(row["ops_per_s"] * 16384 / 1e6, rel=0.02)
    table = {(r[0], r[1]): r for r in by_size.table.rows}
    assert number(table[("redis:streams tcp", "1,024")][2]) == pytest.approx(
        statistics.median(r["ops_per_s"] for r in cells[("redis:streams tcp", 1024)]), rel=1e-3)
    assert not by_size.errors and empty_panels([by_size]) == []


def test_cpu_per_message_has_the_brokers_bar_beside_the_clients_and_only_columns_that_exist(throughput):
    cpu = figures(throughput)["messaging_cpu_per_message"]
    rows = [r for r in throughput if r["task"] == "throughput" and r["message_bytes"] == 64 and r["status"] == "ok"]
    table = {r[0]: r for r in cpu.table.rows}
    assert set(table) == {f"{plot.implementation(r)} {r['dataset']}" for r in rows}
    assert cpu.table.columns[2:4] == ["clients µs/message", "broker µs/message"]
    for name, cells in table.items():
        mine = [r for r in rows if f"{plot.implementation(r)} {r['dataset']}" == name]
        assert number(cells[2]) == pytest.approx(statistics.median(r["cpu_s_per_million"] for r in mine), rel=1e-3)
        server = [r["server_cpu_s_per_million"] for r in mine if "server_cpu_s_per_million" in r]
        if server:
            assert number(cells[3]) == pytest.approx(statistics.median(server), rel=1e-3)
        else:  # no server, no broker's bar: never an invented zero
            assert cells[3] == ""
    assert table["redis:streams tcp"][3] and table["queue:mutex_cv inproc"][3] == ""
    totals = [sum(number(v) for v in r[2:4] if v) for r in cpu.table.rows]
    assert totals == sorted(totals)  # cheapest first
    ax = cpu.figure.axes[0]
    assert len(ax.patches) == sum(1 for r in cpu.table.rows for v in r[2:4] if v)
    assert empty_panels([cpu]) == []


def test_the_fault_table_lists_every_system_and_fault_and_the_row_that_broke_the_promise(faults):
    table = figures(faults)["messaging_faults"]
    cells = {(r[0], r[1]): r for r in table.table.rows}
    assert set(cells) == {(r["task"], f"{plot.implementation(r)} {r['dataset']}") for r in faults}
    broken = [r for r in faults if r["status"] != "ok"]
    assert len(broken) == 1  # the fixture's JetStream broker kill that lost acknowledged messages
    jetstream = cells[("fault", "nats:jetstream tcp")]
    kind = table.table.kinds[table.table.rows.index(jetstream)]
    assert jetstream[3] == "2 of 3" and kind == "partial"
    assert "976 in an error row" in jetstream[4] and "976 of them acknowledged" in jetstream[-1]
    assert any("976" in e for e in table.errors)
    assert any("BROKEN 1: 976" in t.get_text() for t in table.figure.axes[0].texts)
    redis = cells[("fault", "redis:streams_aof tcp")]
    ok = [r for r in faults if r["task"] == "fault" and r["library"] == "redis"]
    assert redis[3] == "3 of 3" and redis[4] == "0" and redis[-1] == ""
    stalls = sorted(r["stall_ms"] for r in ok)
    assert redis[7] == " / ".join(plot.format_value(v) for v in (stalls[0], statistics.median(stalls), stalls[-1]))
    assert empty_panels([table]) == []


def test_no_fault_rows_no_fault_figure_and_no_throughput_rows_no_throughput_figures(real):
    rows, _ = real
    assert not {"messaging_faults", "messaging_throughput_by_size", "messaging_cpu_per_message"} & set(figures(rows))


def test_every_figure_of_the_throughput_and_fault_rows_has_data_in_every_panel(throughput, faults):
    _, meta = tidy.load_rows(FIXTURE)  # the descriptions the suite recorded, whatever is built here
    plots, notes = plot.build_plots(throughput + faults, meta, caption_in_figure=False)
    assert {"messaging_throughput_by_size", "messaging_cpu_per_message", "messaging_faults"} <= {p.name for p in plots}
    assert empty_panels(plots) == [] and notes == []
