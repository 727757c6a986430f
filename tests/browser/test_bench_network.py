"""bench/network.py at a fast link, so that it cannot rot: the throttling proxy carries a whole cold
start (login, home, patrol, the capture form, a warm navigation) and an outbox's sync, cut once
mid-photo, and counts every byte, and the link's arithmetic is right. The weak-link figures
themselves are the benchmark's (make bench)."""

from bench.network import Link, run


def test_the_link_paces_bytes_and_delays_them():
    link = Link(bytes_per_second=1000, delay=0.2)
    assert link.arrival(500, now=10.0) == 10.7  # 0.5 s on the wire, then half a round trip
    assert link.arrival(500, now=10.1) == 11.2  # waits for the first to leave: one radio
    assert link.arrival(100, now=20.0) == 20.3  # an idle link starts at once
    assert link.moved == 1100
    assert link.arrived_by(11.0) == 500 and link.arrived_by(11.2) == 1000  # what had crossed by then


def test_a_cold_start_runs_through_the_proxy(server, browser):
    measured = run(kbit=50_000, rtt_ms=10, accounts_server=(server, server.accounts), browser=browser, records=1)
    rows = {r["measure"]: r for r in measured}
    assert set(rows) >= {"login page usable", "login → home", "home → capture form", "warm navigation"}
    # The outbox through the link, and a cut mid-photo costing less than that photo.
    outbox = rows["day's outbox: 1 inspections × 3 photos + signature"]
    assert outbox["kb"] > 3 * 100 and "done, 1 sent" in outbox["note"], outbox
    cut = rows["connection cut mid-photo"]
    assert 0 < cut["kb"] < cut["target_kb"] and "retry, then done" in cut["note"], cut
    assert 5 < rows["bytes before the capture form"]["kb"] < 500
    for name in ("login page usable", "login → home", "home → capture form"):
        assert rows[name]["seconds"] > 0 and rows[name]["kb"] > 0 and rows[name]["floor_s"] > 0, rows[name]
