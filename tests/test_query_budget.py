"""SQL statements per key page stay within a fixed budget, whatever the data size (no N+1)."""

from datetime import timedelta

from fieldapp import clock
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import selfchecks
from tests.helpers import counting, logged_in

#: Every page includes one query for the unread-notifications badge; case files (records,
#: hazards) one more for the read log; an inspector's home one for the site checks from clues
#: and one for the enterprises still to visit this period.
#: Users other than the signed-in one no longer bring a query for their roles (2026-11-22: a
#: record page 11 -> 10, a hazard page 14 -> 11, the queue 8 -> 7). The enterprise file
#: 15 -> 12 (2026-11-23: its grid and department joined; whether the inspector serves the grid
#: read from the grids the request already knows). A record 11 -> 9 as a draft, 10 -> 8 when
#: final (2026-12-04: co-inspectors joined, the collections by statements built once instead of
#: selectinloads). A final record 8 -> 10 (2026-12-06): which of its hazards the reader may open,
#: so that a company reading what it signed is linked only to the hazards an officer confirmed;
#: and the record's last digest in the audit chain, to say whether it was edited outside the app.
BUDGET = {"list": 7, "file": 12, "patrol": 13, "home": 7, "draft": 9, "record": 10, "coverage": 7}


def _grow(factory, world, n: int):
    for _i in range(n):
        e = factory.enterprise(world.grid_a1)
        company = factory.user("company_manager", enterprises=[e])
        for j in range(3):
            point = selfchecks.add_risk_point(
                company, e, {"place": f"部位{j}", "hazard_type": "fire", "risk_level": "yellow", "control_measures": ""}
            )
        selfchecks.record_self_check(
            company,
            e,
            (clock.today() - timedelta(days=30)).isoformat(),
            "王工",
            [selfchecks.ItemInput(point.id, ok=False, problem="问题")],
        )
    return e


def _measure(client, paths: dict[str, str]) -> dict[str, int]:
    out = {}
    for name, path in paths.items():
        client.get(path)  # warm-up: first requests may load lazily cached things
        with counting() as statements:
            assert client.get(path).status_code == 200, path
        out[name] = len(statements)
    return out


def test_key_pages_query_counts_do_not_grow_with_data(client, factory, world):
    logged_in(client, "insp_a1")
    small = _grow(factory, world, 1)
    paths = {
        "list": "/enterprises/?per_page=50",
        "file": f"/enterprises/{small.id}",
        "patrol": f"/enterprises/{small.id}/online-patrol",
        "home": "/",
        "coverage": "/coverage",
    }
    before = _measure(client, paths)
    big = _grow(factory, world, 12)
    paths.update(file=f"/enterprises/{big.id}", patrol=f"/enterprises/{big.id}/online-patrol")
    after = _measure(client, paths)
    assert after == before
    for name, count in after.items():
        assert count <= BUDGET[name], (name, count)


def _record(world, photos: int, final: bool):
    from fieldapp.services import inspections
    from tests.factories import complete, signature_url
    from tests.images import jpeg

    record = inspections.start(world.inspector_a1, world.ent_a1)
    complete(record, world.inspector_a1)
    links = [inspections.add_photo(world.inspector_a1, record, jpeg(color=(i, 7, 7))) for i in range(photos)]
    inspections.report_hazard(world.inspector_a1, record, HazardReport("隐患", "部位", "general", "", [links[0].id]))
    if final:
        inspections.sign(world.inspector_a1, record, "朱春生", "", signature_url(), inspections.summary_sha256(record))
    return record


def test_inspection_pages_query_counts_do_not_grow_with_photos(client, world):
    logged_in(client, "insp_a1")
    counts = []
    for n in (1, 8):
        draft, final = _record(world, n, final=False), _record(world, n, final=True)
        counts.append(_measure(client, {"draft": f"/inspections/{draft.id}", "record": f"/inspections/{final.id}"}))
    assert counts[0] == counts[1]
    for name, count in counts[1].items():
        assert count <= BUDGET[name], (name, count)


#: The hazard page 11 -> 10 (2026-11-23): a hazard of one's own grids is known to be in scope
#: from the grids the request has listed. A reported one, to an officer (2026-12-03): confirming
#: and rejecting both wait on the recusal, asked once for the page's buttons. 10 -> 7 and 8 -> 7
#: (2026-12-04): the photos joined to the hazard, the steps with their photos and files in one
#: statement, instead of four selectinloads. The queue 7 -> 8 (2026-12-06): an officer's page asks
#: once for the open hazards its rows may duplicate (services/duplicates.py), whatever its length.
HAZARD_BUDGET = {"queue": 8, "hazard": 7, "reported": 7}


def _hazard_with_history(world, steps: int):
    from datetime import timedelta

    from fieldapp.services import hazards
    from tests.factories import PHOTO, confirm_values, report

    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values())
    hazards.acknowledge(world.company_a1, h)
    for i in range(steps):
        hazards.progress(world.company_a1, h, f"进展{i}", PHOTO)
    hazards.submit(world.company_a1, h, "已整改", PHOTO)
    hazards.recheck(
        world.inspector_a1,
        h,
        False,
        {"note": "未到位", "deadline": (clock.today() + timedelta(days=3)).isoformat()},
        PHOTO,
    )
    return h


def test_hazard_pages_query_counts_do_not_grow_with_history(client, world):
    logged_in(client, "officer_a")
    short = _hazard_with_history(world, 1)
    before = _measure(client, {"queue": "/hazards/?tab=open", "hazard": f"/hazards/{short.id}"})
    long = _hazard_with_history(world, 8)
    for _ in range(5):
        _hazard_with_history(world, 0)
    after = _measure(client, {"queue": "/hazards/?tab=open", "hazard": f"/hazards/{long.id}"})
    assert after == before
    for name, count in after.items():
        assert count <= HAZARD_BUDGET[name], (name, count)
    from tests.factories import report

    reported = _measure(client, {"reported": f"/hazards/{report(world).id}"})
    assert reported["reported"] <= HAZARD_BUDGET["reported"], reported


ACCOUNTABILITY_BUDGET = {"clues": 8, "clue": 15, "register": 8, "record": 14}


def _clue_with_history(world, steps: int):
    from fieldapp.services import clues
    from tests.images import jpeg

    clue = clues.submit(
        {"kind": "hazard", "content": "仓库消防通道被堵塞，多次反映未改。"},
        [(jpeg(color=(steps, 1, 1)), "a.jpg"), (jpeg(color=(steps, 2, 2)), "b.jpg")],
        grid=world.grid_a1,
    )
    clues.act(world.officer_a, clue, "assign", {"assignee_id": str(world.officer_district.id)})
    for i in range(steps):
        clues.act(world.officer_district if i % 2 else world.officer_a, clue, "note", {"note": f"进展{i}"})
    return clue


def _interference_with_history(world, steps: int):
    from datetime import timedelta

    from fieldapp.services import interference

    row = interference.record(
        world.officer_a,
        {
            "leader_name": f"领导{steps}",
            "leader_position": "局长",
            "leader_unit": f"单位{steps}",
            "manner": "phone",
            "conduct": "other",
            "occurred_at": (clock.local(clock.now()) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "request": "要求从轻处理",
        },
    )
    for i in range(steps):
        interference.supplement(world.officer_a, row, {"text": f"补充{i}"})
        interference.follow_up(world.discipline, row, {"state": "verifying", "note": f"核实{i}"})
    return row


def test_accountability_pages_query_counts_do_not_grow(make_client, world):
    officer = logged_in(make_client(), "officer_a")
    discipline = logged_in(make_client(), "discipline1")
    small_clue, small_record = _clue_with_history(world, 1), _interference_with_history(world, 1)
    before = _measure(officer, {"clues": "/clues/?tab=all", "clue": f"/clues/{small_clue.id}"}) | _measure(
        discipline, {"register": "/interference/", "record": f"/interference/{small_record.id}"}
    )
    big_clue, big_record = _clue_with_history(world, 8), _interference_with_history(world, 8)
    for n in range(6):
        _clue_with_history(world, 0)
        _interference_with_history(world, n % 2)
    after = _measure(officer, {"clues": "/clues/?tab=all", "clue": f"/clues/{big_clue.id}"}) | _measure(
        discipline, {"register": "/interference/", "record": f"/interference/{big_record.id}"}
    )
    assert after == before, (before, after)
    for name, count in after.items():
        assert count <= ACCOUNTABILITY_BUDGET[name], (name, count)


def test_people_pages_query_counts_do_not_grow_with_people(client, factory, world):
    """The corps list and the accounts list show each person's roles and record: loaded for the
    page in one query each, not one per person."""
    logged_in(client, "admin_d")
    paths = {"corps": "/corps/", "accounts": "/admin/users", "export": "/corps/export.xlsx"}
    before = _measure(client, paths)
    for _ in range(6):
        factory.user("grid_inspector", grids=[world.grid_a1])
        factory.user("technical_inspector", grids=[world.grid_b1])
    assert _measure(client, paths) == before


#: The statistics (2026-12-03, 13 -> 10 for a town): the grids of the scope's departments in one
#: statement, the names of departments and grids in one, the tallies' breakdowns and the overdue
#: of past months in one pass. Counted from the hazards (one grid): no tallies, two passes by month.
STATISTICS_BUDGET = {"town": 10, "town, filtered": 10, "one grid": 9, "by department": 9}


def test_statistics_query_counts_do_not_grow_with_hazards(client, world, monkeypatch):
    from fieldapp.services import statistics
    from tests.factories import world_of_hazards

    logged_in(client, "officer_d")
    monkeypatch.setattr(statistics, "GRIDS_ON_ONE_PAGE", 2)  # the district's 3 grids are "many"
    paths = {
        "town": f"/statistics?unit={world.town_a.id}",
        "by department": "/statistics",
        "town, filtered": f"/statistics?unit={world.town_a.id}&industry=C33&level=major",
        "one grid": f"/statistics?grid={world.grid_a1.id}&level=general",
    }
    before = _measure(client, paths)
    world_of_hazards(world)
    world_of_hazards(world)
    after = _measure(client, paths)
    assert after == before
    for name, count in after.items():
        assert count <= STATISTICS_BUDGET[name], (name, count)
    # What each path counts from: a town's grids from the hazards by grid, a district by department.
    town, district = client.get(paths["town"]).get_data(as_text=True), client.get("/statistics").get_data(as_text=True)
    assert 'id="by-grid"' in town and 'id="by-grid"' not in district
