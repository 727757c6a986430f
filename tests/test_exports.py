"""Excel exports open with openpyxl and hold exactly the filtered lists (Chinese headers)."""

from io import BytesIO

from openpyxl import load_workbook

from fieldapp import clock
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import corps, hazards
from tests.factories import confirm_values, inspect, report
from tests.helpers import logged_in


def book(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    return load_workbook(BytesIO(response.data), read_only=True)


def values(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_hazard_export_matches_the_filtered_list(world, make_client):
    major = report(world, level="major")
    general = report(world)
    hazards.confirm(world.officer_a, general, confirm_values())
    officer = logged_in(make_client(), "officer_a")
    rows = values(book(officer.get("/hazards/export.xlsx?tab=all"))["隐患"])
    assert rows[0][:3] == ["编号", "企业", "统一社会信用代码"]
    assert sorted(r[0] for r in rows[1:]) == sorted([major.id, general.id])
    only_major = values(book(officer.get("/hazards/export.xlsx?tab=all&level=major"))["隐患"])
    assert [r[0] for r in only_major[1:]] == [major.id] and only_major[1][10] is None  # not yet graded
    queue = values(book(officer.get("/hazards/export.xlsx?tab=to_confirm"))["隐患"])
    assert [r[0] for r in queue[1:]] == [major.id]
    # A company sees only its confirmed hazards; another grid's inspector none.
    company = values(book(logged_in(make_client(), "company_a1").get("/hazards/export.xlsx?tab=all"))["隐患"])
    assert [r[0] for r in company[1:]] == [general.id]
    other = values(book(logged_in(make_client(), "insp_b1").get("/hazards/export.xlsx?tab=all"))["隐患"])
    assert other[1:] == []


def test_formulas_stay_text(world, make_client):
    from fieldapp.services import inspections
    from tests.images import jpeg

    record = inspections.start(world.inspector_a1, world.ent_a1)
    link = inspections.add_photo(world.inspector_a1, record, jpeg())
    inspections.report_hazard(
        world.inspector_a1, record, HazardReport('=HYPERLINK("http://evil","x")', "仓库", "general", "", [link.id])
    )
    officer = logged_in(make_client(), "officer_a")
    rows = values(book(officer.get("/hazards/export.xlsx?tab=all"))["隐患"])
    assert rows[1][6] == '=HYPERLINK("http://evil","x")'
    raw = load_workbook(BytesIO(officer.get("/hazards/export.xlsx?tab=all").data))["隐患"]
    assert raw.cell(row=2, column=7).data_type == "s"


def test_coverage_export(world, make_client):
    inspect(world, world.ent_a1, clock.local(clock.now()))
    officer = logged_in(make_client(), "officer_a")
    wb = book(officer.get("/coverage/export.xlsx"))
    grids = {r[0]: r for r in values(wb["网格覆盖"])[1:]}
    assert grids[world.grid_a1.code][3:6] == [2, 1, 1]
    assert world.grid_b1.code not in grids
    todo = values(wb["未覆盖企业"])[1:]
    assert world.ent_a1_other.name in {r[1] for r in todo} and world.ent_a1.name not in {r[1] for r in todo}


def test_corps_export(world, make_client):
    s = corps.create_session(
        world.admin,
        {
            "title": "在岗培训",
            "kind": "in_service",
            "starts_on": "2026-05-04",
            "ends_on": "2026-05-13",
            "days": "10",
            "org_unit_id": str(world.district.id),
        },
    )
    corps.record_attendance(world.admin, s, {"user_id": str(world.inspector_a1.id), "days": "10"})
    wb = book(logged_in(make_client(), "admin_d").get("/corps/export.xlsx?year=2026"))
    people = {r[1]: r for r in values(wb["检查员"])[1:]}
    assert set(people) == {"insp_a1", "insp_b1", "tech_a2"}
    assert people["insp_a1"][12:15] == [10, 15, 5]
    assert values(wb["2026年培训"])[1][4] == world.inspector_a1.display_name


def test_inspections_export(world, make_client):
    record = inspect(world, world.ent_a1, clock.local(clock.now()))
    inspect(world, world.ent_a1_other, clock.local(clock.now()), sign=False)  # a draft: not listed
    rows = values(book(logged_in(make_client(), "officer_a").get("/coverage/inspections.xlsx"))["检查记录"])
    assert rows[0][0] == "记录编号" and [r[0] for r in rows[1:]] == [record.number]
    assert rows[1][8] == "已签字"
    assert values(book(logged_in(make_client(), "insp_b1").get("/coverage/inspections.xlsx"))["检查记录"])[1:] == []


def test_the_streaming_writer_keeps_text_text_and_columns_in_place():
    from fieldapp.services import xlsx

    out = xlsx.write(
        [
            ("表一", ["甲", "乙", "丙", "丁"], iter([["=1+1", None, 3, "a\x00b<&>"], [True, 2.5, "", "x"]])),
            ("表二", ["只有表头"], []),
        ]
    )
    wb = load_workbook(out)
    first = wb["表一"]
    assert [c.value for c in first[1]] == ["甲", "乙", "丙", "丁"] and first["A1"].font.b
    assert [c.value for c in first[2]] == ["=1+1", None, 3, "ab<&>"] and first["A2"].data_type == "s"
    assert [c.value for c in first[3]] == ["是", 2.5, None, "x"]
    assert first.freeze_panes == "A2" and wb["表二"].max_row == 1
