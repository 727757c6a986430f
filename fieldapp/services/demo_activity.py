"""A day's work in the demo district, so `make run` opens on a working loop, not empty lists.

Everything goes through the services, as the people would do it on their phones: records filled
in, photographed and signed by the site manager; hazards reported, confirmed or rejected by the
officer, rectified by the company, re-checked on site, closed. So the records verify, the audit
chain holds, and the tallies and notifications are what the app itself would have made.

The hazards end in every state of the loop: waiting for the officer, rejected, confirmed with a
deadline, a major one under a stop-work order, waiting for the re-check, closed.
"""

from __future__ import annotations

import base64
import io
import random
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from fieldapp import clock
from fieldapp.db import db
from fieldapp.models import CompanyManager, Enterprise, Inspection, InspectorGrid, User
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import hazards, inspections

#: (where, what was wrong, the checklist words it breaks, proposed level)
FINDINGS = [
    ("仓库", "消防通道堆放纸箱，宽度不足 1 米", "消防", "general"),
    ("喷漆车间", "喷漆房排风机停用，车间内有明显漆雾", "通风", "major"),
    ("配电房", "配电柜前堆放杂物，未设绝缘垫", "用电", "general"),
    ("叉车作业区", "叉车司机无证驾驶", "特种", "general"),
    ("危化品仓库", "稀释剂与氧化剂混放，未分区存放", "危险化学品", "major"),
    ("冲压车间", "冲床光电保护装置被短接", "设备", "general"),
]


def _photo(rng: random.Random, width: int = 1280, height: int = 960) -> bytes:
    """A camera-sized JPEG of a few shapes: evidence to look at, no real site's picture."""
    image = Image.new("RGB", (width, height), tuple(rng.randint(90, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, width - 200), rng.randint(0, height - 150)
        draw.rectangle(
            [x, y, x + rng.randint(60, 400), y + rng.randint(40, 300)],
            fill=tuple(rng.randint(0, 255) for _ in range(3)),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _signature(rng: random.Random) -> str:
    """A drawn signature, as the phone's signature pad sends it (a transparent PNG data URL)."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    points = [(40 + i * 9, 100 + int(rng.uniform(-45, 45) * (i % 7) / 6)) for i in range(58)]
    ImageDraw.Draw(image).line(points, fill=(20, 20, 60, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _record(rng: random.Random, inspector: User, enterprise: Enterprise, findings: list[tuple], sign: bool = True):
    """One visit: the checklist answered (a failed item per finding), photos, the hazards reported,
    and the site manager's signature. Returns the record and its hazards."""
    record = inspections.start(inspector, enterprise)
    failed = {}
    for place, text, words, _level in findings:
        item = next(
            r
            for r in record.results
            if r.id not in failed  # one item per finding
            and (words in r.text or words in r.category or r is record.results[-1])
        )
        failed[item.id] = (place, text)
    results = {
        r.id: ("fail", f"{failed[r.id][0]}：{failed[r.id][1]}") if r.id in failed else ("pass", "")
        for r in record.results
    }
    inspections.update(
        inspector,
        record,
        {
            "parts": "、".join(sorted({f[0] for f in findings})) or "生产车间、仓库、配电房",
            "content": "安全管理制度、消防设施、用电安全、危险作业、特种设备",
            "findings": "；".join(f"{place}{text}" for place, text, _w, _l in findings) or "未发现事故隐患",
            "measures": "已当场告知企业，隐患报执法人员确认" if findings else "无",
            "work_id_number": inspector.work_id or f"WGY-{inspector.id:04d}",
            "id_shown": True,
            "latitude": str(enterprise.latitude),
            "longitude": str(enterprise.longitude),
            "accuracy_m": "15",
        },
        results,
    )
    reported = []
    for place, text, _words, level in findings:
        item_id = next(i for i, found in failed.items() if found == (place, text))
        link = inspections.add_photo(inspector, record, _photo(rng), "现场.jpg", item_result_id=item_id)
        reported.append(
            inspections.report_hazard(
                inspector,
                record,
                HazardReport(text, place, level, "《中华人民共和国安全生产法》第四十一条", (link.id,), item_id),
            )
        )
    inspections.add_photo(inspector, record, _photo(rng), "全景.jpg")
    if sign:
        inspections.sign(
            inspector,
            record,
            enterprise.safety_manager_name or "现场负责人",
            "情况属实，立即整改" if findings else "情况属实",
            _signature(rng),
            inspections.summary_sha256(record),
        )
    return record, reported


def _confirm_values(level: str, days: int) -> dict:
    values = {
        "level": level,
        "deadline": (clock.today() + timedelta(days=days)).isoformat(),
        "required_measures": "限期整改到位，整改后拍照上报申请复查",
        "decision_basis": "《中华人民共和国安全生产法》第六十五条",
    }
    if level == "major":
        values.update(
            stop_scope="喷漆车间全部作业",
            workers_withdrawn="喷漆车间作业人员 8 人已撤离",
            emergency_measures="切断喷漆房电源，设置警戒区",
            order_number="吴应急停〔2026〕1号",
        )
    return values


def load() -> bool:
    """Add the day's work once (False, and nothing done, if there are records already)."""
    if db.session.scalar(sa.select(Inspection.id).limit(1)) is not None:
        return False
    rng = random.Random(20261204)
    inspector, officer, tech = _user("inspector"), _user("officer"), _user("techinspector")
    company = _user("company")
    own = db.session.scalar(
        sa.select(Enterprise)
        .join(CompanyManager, CompanyManager.enterprise_id == Enterprise.id)
        .where(CompanyManager.user_id == company.id)
    )
    grid_id = db.session.scalar(sa.select(InspectorGrid.grid_id).where(InspectorGrid.user_id == inspector.id))
    others = db.session.scalars(
        sa.select(Enterprise)
        .where(Enterprise.grid_id == grid_id, Enterprise.status == "active", Enterprise.id != own.id)
        .order_by(Enterprise.id)
        .limit(5)
    ).all()
    photo = [(_photo(rng), "整改后.jpg")]

    # The company manager's own enterprise: a general hazard rectified and waiting for the
    # inspector's re-check, a major one under a stop-work order being rectified, and one closed
    # after its re-check.
    _r, (fire_exit, paint_booth, press) = _record(rng, inspector, own, [FINDINGS[0], FINDINGS[1], FINDINGS[5]])
    hazards.confirm(officer, fire_exit, _confirm_values("general", 7))
    hazards.acknowledge(company, fire_exit, "已安排行政部清理")
    hazards.progress(company, fire_exit, "已清理一半，纸箱移至二号仓库", photo)
    hazards.submit(company, fire_exit, "通道已全部清理，宽度 1.5 米，设置禁止堆放标识", photo)
    hazards.confirm(officer, paint_booth, _confirm_values("major", 15))
    hazards.acknowledge(company, paint_booth, "已停止喷漆作业，联系厂家维修排风系统")
    hazards.confirm(officer, press, _confirm_values("general", 3))
    hazards.acknowledge(company, press)
    hazards.submit(company, press, "已恢复光电保护装置并加装防短接罩", photo)
    hazards.recheck(inspector, press, True, {"note": "光电保护有效，试机正常"}, photo)

    # Elsewhere in the grid: one waiting for the officer, one rejected, one confirmed with its
    # deadline running, a clean visit and a draft.
    _record(rng, inspector, others[0], [FINDINGS[2]])
    _r, (forklift,) = _record(rng, inspector, others[1], [FINDINGS[3]])
    hazards.reject(officer, forklift, "经核实司机持有有效叉车证，现场未随身携带")
    _r, (switchboard,) = _record(rng, inspector, others[2], [FINDINGS[2]])
    hazards.confirm(officer, switchboard, _confirm_values("general", 5))
    _record(rng, inspector, others[3], [])
    _record(rng, inspector, others[4], [], sign=False)

    # The technical inspector's grid: a major chemical-store hazard waiting for the officer.
    tech_grid = db.session.scalar(sa.select(InspectorGrid.grid_id).where(InspectorGrid.user_id == tech.id))
    store = db.session.scalar(
        sa.select(Enterprise)
        .where(Enterprise.grid_id == tech_grid, Enterprise.status == "active")
        .order_by(Enterprise.id)
        .limit(1)
    )
    _record(rng, tech, store, [FINDINGS[4]])
    db.session.commit()
    return True
