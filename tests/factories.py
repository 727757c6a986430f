"""Small model factories: real rows through the same services the app uses."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import requests
import sqlalchemy as sa
from openpyxl import Workbook
from PIL import Image, ImageDraw

from fieldapp import clock, roles
from fieldapp.db import db
from fieldapp.models import (
    CompanyManager,
    Enterprise,
    Grid,
    Hazard,
    HazardCloseDays,
    HazardTally,
    Inspection,
    InspectorGrid,
    OrgUnit,
    User,
    UserOrgUnit,
    UserRole,
)
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import checklists, hazards, inspections, uscc
from fieldapp.services.accounts import hash_password
from fieldapp.services.enterprises import district_id_of
from fieldapp.services.org import create_grid, create_org_unit
from tests.helpers import PASSWORD, csrf_token
from tests.images import jpeg


class Factory:
    def __init__(self, hash_method: str):
        self.hash_method = hash_method
        self.seq = itertools.count(1)
        self._hash: str | None = None

    def org_unit(self, parent: OrgUnit | None = None, kind: str | None = None, name: str = "") -> OrgUnit:
        n = next(self.seq)
        kind = kind or ("town" if parent else "district")
        unit = create_org_unit(f"T{n:06d}", name or f"测试单位{n}", kind, parent)
        db.session.commit()
        return unit

    def grid(self, unit: OrgUnit, name: str = "") -> Grid:
        n = next(self.seq)
        grid = create_grid(unit, f"G-{n:04d}", name or f"测试网格{n}")
        db.session.commit()
        return grid

    def enterprise(self, grid: Grid, name: str = "", status: str = "active") -> Enterprise:
        n = next(self.seq)
        e = Enterprise(
            name=name or f"苏州测试{n}有限公司",
            uscc=uscc.make("9", "1", "320506", f"{n:08d}"),
            grid_id=grid.id,
            district_id=district_id_of(grid),
            status=status,
            operating_address=f"测试路{n}号",
            latitude=31.26,
            longitude=120.6,
        )
        db.session.add(e)
        db.session.commit()
        return e

    def user(
        self,
        *role_names: str,
        grids: Iterable[Grid] = (),
        units: Iterable[OrgUnit] = (),
        enterprises: Iterable[Enterprise] = (),
        org_unit: OrgUnit | None = None,
        username: str = "",
        mobile: str | None = None,
        active: bool = True,
        password: str = PASSWORD,
    ) -> User:
        n = next(self.seq)
        if password == PASSWORD:
            self._hash = self._hash or hash_password(PASSWORD, self.hash_method)
            password_hash = self._hash
        else:
            password_hash = hash_password(password, self.hash_method)
        grids, units, enterprises = list(grids), list(units), list(enterprises)
        home = org_unit or (
            units[0] if units else grids[0].org_unit if grids else enterprises[0].grid.org_unit if enterprises else None
        )
        user = User(
            username=username or f"user{n}",
            mobile=mobile,
            display_name=f"测试用户{n}",
            password_hash=password_hash,
            active=active,
            org_unit=home,
        )
        user.role_rows = [UserRole(role=r) for r in role_names]
        db.session.add(user)
        db.session.flush()
        db.session.add_all(InspectorGrid(user_id=user.id, grid_id=g.id) for g in grids)
        db.session.add_all(UserOrgUnit(user_id=user.id, org_unit_id=u.id) for u in units)
        db.session.add_all(CompanyManager(user_id=user.id, enterprise_id=e.id) for e in enterprises)
        db.session.commit()
        return user


def build_world(f: Factory) -> SimpleNamespace:
    """A district with two towns, three grids, four enterprises and one user per role (and some twins)."""
    w = SimpleNamespace()
    w.district = f.org_unit(name="测试区")
    w.town_a = f.org_unit(w.district, name="甲镇")
    w.town_b = f.org_unit(w.district, kind="zone", name="乙开发区")
    w.grid_a1, w.grid_a2 = f.grid(w.town_a, "甲镇一网格"), f.grid(w.town_a, "甲镇二网格")
    w.grid_b1 = f.grid(w.town_b, "乙区一网格")
    w.ent_a1 = f.enterprise(w.grid_a1, "苏州甲一精密机械有限公司")
    w.ent_a1_other = f.enterprise(w.grid_a1, "苏州甲一化工有限公司", status="new")
    w.ent_a2 = f.enterprise(w.grid_a2, "苏州甲二纺织有限公司")
    w.ent_b1 = f.enterprise(w.grid_b1, "苏州乙一食品有限公司")
    w.inspector_a1 = f.user(roles.GRID_INSPECTOR, grids=[w.grid_a1], username="insp_a1", mobile="13912345601")
    w.inspector_b1 = f.user(roles.GRID_INSPECTOR, grids=[w.grid_b1], username="insp_b1")
    w.tech_a2 = f.user(roles.TECHNICAL_INSPECTOR, grids=[w.grid_a2], username="tech_a2")
    w.officer_a = f.user(roles.ENFORCEMENT_OFFICER, units=[w.town_a], username="officer_a")
    w.officer_district = f.user(roles.ENFORCEMENT_OFFICER, units=[w.district], username="officer_d")
    w.company_a1 = f.user(roles.COMPANY_MANAGER, enterprises=[w.ent_a1], username="company_a1")
    w.company_b1 = f.user(roles.COMPANY_MANAGER, enterprises=[w.ent_b1], username="company_b1")
    w.supervisor = f.user(roles.SOCIAL_SUPERVISOR, units=[w.district], username="supervisor1")
    w.admin = f.user(roles.ADMIN, units=[w.district], username="admin_d")
    w.admin_a = f.user(roles.ADMIN, units=[w.town_a], username="admin_a")
    w.discipline = f.user(roles.DISCIPLINE_INSPECTOR, units=[w.district], username="discipline1")
    return w


PHOTO = [(jpeg(640, 480), "after.jpg")]


def report(world, level="general") -> Hazard:
    record = inspections.start(world.inspector_a1, world.ent_a1)
    link = inspections.add_photo(world.inspector_a1, record, jpeg(640, 480, color=(10, 20, 30)))
    return inspections.report_hazard(
        world.inspector_a1, record, HazardReport("消防通道堵塞", "仓库", level, "", [link.id])
    )


def confirm_values(level="general", **extra) -> dict:
    values = {
        "level": level,
        "deadline": (clock.today() + timedelta(days=7)).isoformat(),
        "required_measures": "清理通道，保持畅通",
        "decision_basis": "《消防法》第二十八条",
    }
    if level == "major":
        values.update(
            stop_scope="仓库区域全部作业",
            workers_withdrawn="仓库作业人员 6 人已撤离",
            emergency_measures="设置警戒，切断电源",
            order_number="苏吴应急停〔2026〕12号",
        )
    values.update(extra)
    return values


def inspect(world, enterprise, at: datetime, sign=True) -> Inspection:
    record = inspections.start(world.inspector_a1, enterprise)
    complete(record, world.inspector_a1)
    if sign:
        inspections.sign(world.inspector_a1, record, "朱春生", "", signature_url(), inspections.summary_sha256(record))
    db.session.execute(sa.update(Inspection).where(Inspection.id == record.id).values(started_at=at))
    db.session.commit()
    return record


def signature_url(width=600, height=200, dot=False) -> str:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if dot:
        draw.ellipse([300, 100, 304, 104], fill=(0, 0, 0, 255))
    else:
        points = [(40 + i * 9, 100 + int(40 * ((-1) ** i) * (i % 5) / 4)) for i in range(55)]
        draw.line(points, fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def complete(inspection, user, **over):
    fields = {
        "parts": "喷漆车间、仓库",
        "content": "安全管理、消防、用电",
        "findings": "消防通道堆放杂物",
        "measures": "责令立即清理",
        "work_id_number": "WZ2026001",
        "id_shown": True,
        "latitude": "31.2601",
        "longitude": "120.6002",
        "accuracy_m": "12",
    }
    fields.update(over)
    results = {r.id: ("pass", "") for r in inspection.results}
    first = inspection.results[0]
    results[first.id] = ("fail", "通道堵塞")
    inspections.update(user, inspection, fields, results)
    return first


def upload(client, token, data: bytes) -> str:
    media_uuid = str(uuid.uuid4())
    response = client.put(
        f"/api/v1/media/{media_uuid}",
        data=data,
        headers={
            "X-Content-SHA256": hashlib.sha256(data).hexdigest(),
            "X-CSRFToken": token,
            "Content-Type": "image/jpeg",
        },
    )
    assert response.status_code == 201, response.get_json()
    return media_uuid


def offline_record(client, token, world, db, sign=True, enterprise=None) -> dict:
    """What the phone sends after an offline inspection: 3 photos, 2 hazards, a signature (by the
    first inspector of grid A, at ``enterprise``, A's first by default)."""
    enterprise = enterprise or world.ent_a1
    items = checklists.ensure_general_template().items
    db.session.commit()
    started = visit_start()
    taken = f"{clock.local(started + timedelta(minutes=5)):%Y:%m:%d %H:%M:%S}"
    photos = [upload(client, token, jpeg(color=(i * 40, 80, 80), taken=taken)) for i in range(3)]
    record_uuid = str(uuid.uuid4())
    results = [{"position": i.position, "result": "pass", "note": ""} for i in items]
    results[0] = {"position": items[0].position, "result": "fail", "note": "责任制未更新"}
    hazards = [
        {
            "uuid": str(uuid.uuid4()),
            "description": "责任制未更新",
            "place": "办公室",
            "level": "general",
            "media_uuids": [photos[0]],
            "item_position": items[0].position,
            "legal_basis": "",
        },
        {
            "uuid": str(uuid.uuid4()),
            "description": "消防通道堵塞",
            "place": "仓库",
            "level": "major",
            "media_uuids": [photos[1], photos[2]],
            "item_position": None,
            "legal_basis": "",
        },
    ]
    fields = {
        "parts": "办公室、仓库",
        "content": "全面检查",
        "findings": "两处问题",
        "measures": "责令整改",
        "work_id_number": "WZ2026001",
        "id_shown": True,
    }
    payload = {
        "uuid": record_uuid,
        "enterprise_id": enterprise.id,
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(minutes=50)).isoformat(),
        "position": {"latitude": 31.2601, "longitude": 120.6002, "accuracy_m": 15},
        "fields": fields,
        "results": results,
        "photos": [{"media_uuid": m, "item_position": None, "caption": ""} for m in photos],
        "hazards": hazards,
        "app_version": "2026.11.22",
    }
    if sign:
        summary = inspections.summary_lines(
            record_uuid,
            world.ent_a1.name,
            world.ent_a1.uscc,
            world.inspector_a1.display_name,
            "WZ2026001",
            fields["parts"],
            fields["findings"],
            fields["measures"],
            [(items[0].text, "责任制未更新")],
            [(h["level"], h["place"], h["description"]) for h in hazards],
        )
        png = base64.b64decode(signature_url().split(",", 1)[1])
        payload["finish"] = {
            "kind": "signed",
            "signer_name": "朱春生",
            "opinion": "同意",
            "signature_media_uuid": upload(client, token, png),
            "summary_sha256": hashlib.sha256(summary.encode()).hexdigest(),
            "at": (started + timedelta(minutes=49)).isoformat(),
        }
    return payload


def send(client, token, payload):
    return client.post("/api/v1/inspections", json=payload, headers={"X-CSRFToken": token})


def interference_values(**over) -> dict:
    base = {
        "leader_name": "王某",
        "leader_position": "副县长",
        "leader_unit": "某县人民政府",
        "manner": "phone",
        "conduct": "exoneration",
        "occurred_at": (clock.local(clock.now()) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "request": "要求对某企业的隐患从轻处理，不予立案。",
        "case_ref": "甲镇2026-017",
    }
    base.update(over)
    return base


POINT = {
    "place": "喷漆车间",
    "hazard_type": "fire",
    "risk_level": "orange",
    "control_measures": "防爆电器，禁止明火，每班巡查",
    "responsible_person": "王工",
    "check_every_days": "7",
}


def clue_form(client, path="/clues/new") -> dict:
    html = client.get(path).get_data(as_text=True)
    stamp = re.search(r'name="stamp" value="([^"]+)"', html).group(1)
    return {"csrf_token": csrf_token(client, path), "stamp": stamp}


GOOD_CLUE = {"kind": "hazard", "content": "某厂仓库堆放大量易燃物品，消防通道被堵塞。", "place": "甲镇工业园 3 号路"}


def enterprise_form(world, **over):
    data = {
        "name": "苏州新建精工有限公司",
        "uscc": uscc.make("9", "1", "320506", "77770001"),
        "grid": str(world.grid_a1.id),
        "status": "active",
        "industry": "C34",
        "scale": "small",
        "risk_grade": "yellow",
        "registered_address": "吴中区甲镇一路 1 号",
        "operating_address": "",
        "latitude": "31.26",
        "longitude": "120.51",
        "legal_representative": "张三",
        "safety_manager_name": "李四",
        "safety_manager_mobile": "138 0000 1111",
        "employee_count": "35",
        "notes": "",
    }
    data.update(over)
    return data


def world_of_hazards(world):
    """Five hazards in grid A1 (one major), one in B1, across three months."""
    now = clock.local(clock.now())
    made = []
    for _i in range(3):
        h = report(world)
        hazards.confirm(world.officer_a, h, confirm_values())
        made.append(h)
    closed = made[0]
    hazards.acknowledge(world.company_a1, closed)
    hazards.submit(world.company_a1, closed, "已整改", PHOTO)
    hazards.recheck(world.inspector_a1, closed, True, {"note": "通过"}, PHOTO)
    rejected = report(world)
    hazards.reject(world.officer_a, rejected, "不属实")
    major = report(world, level="major")
    hazards.confirm(world.officer_a, major, confirm_values("major"))
    # Back-date: the closed one confirmed 4 days before its closure; one overdue.
    set_hazard(closed, confirmed_at=closed.closed_at - timedelta(days=4))
    set_hazard(made[1], deadline=clock.today() - timedelta(days=2))
    # One reported at 00:30 on the 1st, China time: still last month in UTC, this month here.
    first = now.replace(day=1, hour=0, minute=30, second=0, microsecond=0)
    set_hazard(made[2], created_at=first.astimezone(UTC))
    return {"closed": closed, "overdue": made[1], "rejected": rejected, "major": major, "early": made[2]}


def tallies() -> tuple[dict, Counter]:
    out = {}
    for t in db.session.scalars(sa.select(HazardTally)):
        counts = +Counter(
            {
                m: getattr(t, m)
                for m in ("found", "confirmed", "rejected", "closed", "confirmed_closed", "rectifying_due")
            }
        )
        if counts:
            out[(t.org_unit_id, t.month, t.industry, t.level)] = counts
    closures = +Counter({(c.org_unit_id, c.month, c.days): c.n for c in db.session.scalars(sa.select(HazardCloseDays))})
    return out, closures


def csrf_token_of(session: requests.Session, url: str) -> str:
    html = session.get(url, timeout=10).text
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"', html)
    return found.group(1) or found.group(2)


def log_in_over_http(base: str, username: str) -> requests.Session:
    s = requests.Session()
    s.headers["Referer"] = f"{base}/"  # as a browser sends it (CSRF checks it over https)
    token = csrf_token_of(s, f"{base}/login")
    r = s.post(
        f"{base}/login",
        data={"login": username, "password": "Demo2026", "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302, r.text[:500]
    return s


def visit_start() -> datetime:
    """When the offline visit began: three hours ago, whatever the clock says."""
    return (clock.now() - timedelta(hours=3)).replace(second=0, microsecond=0)


def set_hazard(h: Hazard, **values) -> None:
    """Write columns of a hazard directly (dates in the past: what no service would do)."""
    db.session.execute(sa.update(Hazard).where(Hazard.id == h.id).values(**values))
    db.session.commit()
    db.session.expire_all()


IMPORT_HEADER = ["企业名称", "统一社会信用代码", "网格编号", "行业代码", "风险等级", "纬度", "经度", "从业人数"]


def import_code(n: int) -> str:
    return uscc.make("9", "1", "320506", f"{60000000 + n:08d}")


def import_xlsx(rows, header=IMPORT_HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload_import(client, data: bytes, filename: str):
    token = csrf_token(client, "/enterprises/import")
    return client.post(
        "/enterprises/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def good_rows(world, n=3):
    return [
        [f"苏州导入{i}号有限公司", import_code(i), world.grid_a1.code, "C33", "黄", 31.25, 120.55, 20 + i]
        for i in range(n)
    ]
