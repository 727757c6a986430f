"""Import: preview every row's problems, write nothing until confirmed, never half-apply. Export to XLSX."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from fieldapp.models import Enterprise, EnterpriseChange, ImportBatch
from fieldapp.services import enterprise_import
from tests.factories import IMPORT_HEADER, good_rows, import_code, import_xlsx, upload_import
from tests.helpers import logged_in, post


def csv_bytes(rows, encoding="utf-8", header=IMPORT_HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise))


def test_xlsx_preview_then_commit_all(client, world, db):
    logged_in(client, "admin_d")
    before = _count(db)
    response = upload_import(client, import_xlsx(good_rows(world)), "企业.xlsx")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"] + "?show=all").get_data(as_text=True)
    assert 'data-stat="valid">3<' in preview and "可以导入" in preview
    assert _count(db) == before  # nothing written by the preview
    token = response.headers["Location"].rsplit("/", 1)[1]
    done = post(
        client,
        f"/enterprises/import/{token}",
        {"mode": "all", "action": "commit"},
        token_from=f"/enterprises/import/{token}",
    )
    assert done.status_code == 302 and _count(db) == before + 3
    e = db.session.scalar(sa.select(Enterprise).where(Enterprise.name == "苏州导入1号有限公司"))
    assert e.industry == "C33" and e.risk_grade == "yellow" and e.employee_count == 21
    kind = db.session.scalar(sa.select(EnterpriseChange.kind).where(EnterpriseChange.enterprise_id == e.id))
    assert kind == "imported"
    again = post(
        client,
        f"/enterprises/import/{token}",
        {"mode": "all", "action": "commit"},
        token_from=f"/enterprises/import/{token}",
    )
    assert "该批次已处理过" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _count(db) == before + 3


def test_preview_names_every_problem_with_its_row(client, world, db):
    logged_in(client, "admin_d")
    rows = good_rows(world, 2) + [
        ["", import_code(10), world.grid_a1.code, "", "", "", "", ""],  # row 4: no name
        ["坏代码公司", "91320506600037341Q", world.grid_a1.code, "", "", "", "", ""],  # row 5: check char
        ["重复公司", import_code(0), world.grid_a1.code, "", "", "", "", ""],  # row 6: dup of row 2
        ["未知网格公司", import_code(11), "NOPE-9", "", "", "", "", ""],  # row 7: grid
        ["已存在公司", world.ent_b1.uscc, world.grid_b1.code, "", "", "", "", ""],  # row 8: on file
        ['=HYPERLINK("http://x")', import_code(12), world.grid_a1.code, "", "", "", "", ""],  # row 9: formula
    ]
    response = upload_import(client, import_xlsx(rows), "t.xlsx")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    expected = {
        4: "请填写企业名称",
        5: "校验位不正确",
        6: "与第 2 行的统一社会信用代码重复",
        7: "请选择您管辖范围内的网格",
        8: "本区已有使用该统一社会信用代码的企业档案",
        9: "单元格含有公式",
    }
    for row, message in expected.items():
        assert f"第 {row} 行" in page and message in page, (row, message)
    assert 'data-stat="invalid">6<' in page


def test_all_or_nothing_refuses_when_any_row_is_bad(client, world, db):
    logged_in(client, "admin_d")
    before = _count(db)
    rows = good_rows(world, 2) + [["", import_code(20), world.grid_a1.code, "", "", "", "", ""]]
    token = upload_import(client, import_xlsx(rows), "t.xlsx").headers["Location"].rsplit("/", 1)[1]
    path = f"/enterprises/import/{token}"
    refused = post(client, path, {"mode": "all", "action": "commit"}, token_from=path)
    assert "本次未导入任何数据" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert _count(db) == before
    post(client, path, {"mode": "valid", "action": "commit"}, token_from=path)
    assert _count(db) == before + 2


def test_commit_rechecks_what_changed_since_the_preview(client, world, db, factory):
    logged_in(client, "admin_d")
    before = _count(db)
    token = upload_import(client, import_xlsx(good_rows(world, 2)), "t.xlsx").headers["Location"].rsplit("/", 1)[1]
    # Meanwhile someone files one of the same codes.
    db.session.add(
        Enterprise(name="抢先建档", uscc=import_code(1), grid_id=world.grid_a2.id, district_id=world.district.id)
    )
    db.session.commit()
    path = f"/enterprises/import/{token}"
    post(client, path, {"mode": "all", "action": "commit"}, token_from=path)
    assert _count(db) == before + 1  # only the race winner
    post(client, path, {"mode": "valid", "action": "commit"}, token_from=path)
    assert _count(db) == before + 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_chinese_encoding(client, world, db, encoding):
    logged_in(client, "admin_d")
    response = upload_import(client, csv_bytes(good_rows(world, 2), encoding), "企业.csv")
    page = client.get(response.headers["Location"] + "?show=all").get_data(as_text=True)
    assert "苏州导入1号有限公司" in page and 'data-stat="valid">2<' in page


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"", "a.xlsx", "文件是空的"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.png", "文件不是表格"),
        (b"PK\x03\x04garbage", "a.xlsx", "Excel 文件已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "不支持旧版 .xls"),
        (b"\xff\xfe\x00\xd8bad", "a.csv", "无法识别 CSV 文件的编码"),
        ("名称,地址\n甲,乙\n".encode(), "a.csv", "缺少必需的列：统一社会信用代码、网格编号"),
        ("企业名称,统一社会信用代码,网格编号\n".encode(), "a.csv", "只有表头"),
    ],
)
def test_bad_files_get_a_clear_message(client, world, db, data, filename, message):
    logged_in(client, "admin_d")
    response = upload_import(client, data, filename)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0


def test_too_many_rows_is_refused(client, world, db):
    logged_in(client, "admin_d")
    rows = [[f"公司{i}", import_code(i), world.grid_a1.code] for i in range(enterprise_import.MAX_ROWS + 1)]
    data = csv_bytes(rows, header=IMPORT_HEADER[:3])
    response = upload_import(client, data, "big.csv")
    assert response.status_code == 400 and "一次最多导入 20000 行" in response.get_data(as_text=True)


def test_batches_belong_to_their_admin(make_client, world, db):
    admin = logged_in(make_client(), "admin_d")
    token = upload_import(admin, import_xlsx(good_rows(world, 1)), "t.xlsx").headers["Location"].rsplit("/", 1)[1]
    other = logged_in(make_client(), "admin_a")
    assert other.get(f"/enterprises/import/{token}").status_code == 404
    assert logged_in(make_client(), "insp_a1").get("/enterprises/import").status_code == 403


def test_export_is_scoped_and_safe_from_formula_injection(client, world, db):
    world.ent_a1.notes = "=cmd|' /C calc'!A0"
    db.session.commit()
    logged_in(client, "insp_a1")
    response = client.get("/enterprises/export.xlsx")
    assert response.status_code == 200 and "filename*=UTF-8''" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("企业名称*", "统一社会信用代码*", "网格编号*")
    names = {r[0] for r in rows[1:]}
    assert names == {world.ent_a1.name, world.ent_a1_other.name}
    cell = next(c for c in sheet.iter_rows() if c[0].value == world.ent_a1.name)[15]
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"


def test_export_follows_the_filters(client, world):
    logged_in(client, "officer_d")
    sheet = load_workbook(io.BytesIO(client.get("/enterprises/export.xlsx?status=new").data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [world.ent_a1_other.name]


def test_template_round_trips(client, world, db):
    logged_in(client, "admin_d")
    template = client.get("/enterprises/import/template.xlsx")
    book = load_workbook(io.BytesIO(template.data))
    assert book.sheetnames == ["企业", "填写说明"]
    sheet = book["企业"]
    sheet.delete_rows(2)
    sheet.append(
        [
            "模板公司",
            import_code(99),
            world.grid_a1.code,
            "在营",
            "C34",
            "小型",
            "蓝",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    response = upload_import(client, out.getvalue(), "模板.xlsx")
    assert 'data-stat="valid">1<' in client.get(response.headers["Location"]).get_data(as_text=True)


def test_export_and_import_round_trip(client, world, db):
    logged_in(client, "admin_d")
    exported = client.get("/enterprises/export.xlsx").data
    response = upload_import(client, exported, "export.xlsx")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Every row is already on file: each is reported as a duplicate, none is "unknown column".
    assert 'data-stat="valid">0<' in page and "本区已有使用该统一社会信用代码的企业档案" in page
