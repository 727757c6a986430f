"""District-scale data, deterministic (seeded), into SQLite or PostgreSQL.

    .venv/bin/python -m bench.generate [--db sqlite|postgresql] [--url URL] [--scale 1]

At scale 1: one district of 10 towns, 400 grids each with its grid inspector, 20,000
enterprises, 60 officers, 240,000 inspections (every enterprise once in each of the last
twelve two-month periods), 720,000 checklist results, 600,000 photo records over a small
shared set of real image files, 150,000 hazards in every state of the loop with their
events, 2,000 clues, a year of training. ``--scale 0.01`` is what the suite runs;
``--scale 10`` is a city: ten such districts under a city, each with its own admin
(``admin26d01``…), the city's admin, officer and supervisor at the top. Rows go in with
Core bulk inserts and explicit ids (no ORM, so no audit events: generated history is not
anyone's action).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from fieldapp import clock, roles
from fieldapp.db import analyze, db
from fieldapp.models import (
    ChecklistItem,
    Clue,
    Enterprise,
    Grid,
    Hazard,
    HazardEvent,
    Inspection,
    InspectionPhoto,
    InspectorGrid,
    ItemResult,
    OrgUnit,
    Photo,
    TrainingAttendance,
    TrainingSession,
    User,
    UserOrgUnit,
    UserRole,
)
from fieldapp.models.hazards import hazard_photos
from fieldapp.services import checklists, coverage, photos, uscc
from fieldapp.services.accounts import hash_password
from fieldapp.services.media import store_blob

PASSWORD = "Bench2026"  # noqa: S105 - generated test data
TOWNS = ["木渎", "胥口", "甪直", "临湖", "东山", "金庭", "光福", "越溪", "横泾", "郭巷"]
TRADES = ["精密机械", "纺织", "化工", "食品", "电子", "塑料", "家具", "印刷", "金属制品", "物流"]
INDUSTRIES = ["C34", "C17", "C26", "C14", "C39", "C29", "C21", "C23", "C33", "G59"]
HAZARD_STATES = [
    ("reported", 8),
    ("confirmed", 7),
    ("rectifying", 20),
    ("awaiting_recheck", 8),
    ("awaiting_closure", 2),
    ("closed", 50),
    ("rejected", 5),
]
DESCRIPTIONS = [
    "消防通道堵塞",
    "灭火器压力不足",
    "配电箱未接地",
    "有限空间无警示标志",
    "危化品未分区存放",
    "安全出口上锁",
]
BATCH = 5000


def _ids(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _insert(table, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[i : i + BATCH])


def _reset_sequences(tables: list[str]) -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )
        )


def _images(n: int, rng: random.Random) -> list[dict]:
    """A few real photos through the real pipeline: the files every photo record points to."""
    out = []
    for i in range(n):
        image = Image.new("RGB", (1200, 900), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        draw = ImageDraw.Draw(image)
        for _ in range(40):
            x, y = rng.randrange(1200), rng.randrange(900)
            draw.rectangle(
                [x, y, x + rng.randrange(40, 300), y + rng.randrange(40, 200)],
                fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
            )
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=85)
        p = photos.process(buf.getvalue())
        original = store_blob(p.original, p.content_type, None, f"bench-{i}.jpg", p.width, p.height)
        display = store_blob(p.display, "image/jpeg", None)
        thumb = store_blob(p.thumb, "image/jpeg", None)
        out.append(
            {
                "original_id": original.id,
                "display_id": display.id,
                "thumb_id": thumb.id,
                "width": p.width,
                "height": p.height,
            }
        )
    db.session.flush()
    return out


#: The loop's steps for a hazard left in each state (action, from, to), in order.
_LOOP = [
    ("confirm", "reported", "confirmed"),
    ("acknowledge", "confirmed", "rectifying"),
    ("submit", "rectifying", "awaiting_recheck"),
]
_STEPS_TAKEN = {
    "reported": 0,
    "confirmed": 1,
    "rectifying": 2,
    "awaiting_recheck": 3,
    "awaiting_closure": 3,
    "closed": 3,
}


def _steps(status: str) -> list[tuple[str, str, str]]:
    if status == "rejected":
        return [("reject", "reported", "rejected")]
    steps = _LOOP[: _STEPS_TAKEN[status]]
    if status in ("awaiting_closure", "closed"):
        steps.append(("recheck_pass", "awaiting_recheck", status))
    return steps


def _step_times(reported: datetime, n: int, rng: random.Random, now: datetime) -> list[datetime]:
    """When each of ``n`` steps after a report happened: the officer decides within three days,
    each later step follows within a fortnight; none later than ``now``, none before the last."""
    times, at = [], reported
    for k in range(n):
        gap = timedelta(days=rng.randint(0, 3) if k == 0 else rng.randint(1, 14), minutes=rng.randrange(480))
        at = min(at + gap, now)
        times.append(at)
    return times


def _visit_time(day: date, minutes_after_eight: int, now: datetime) -> datetime:
    """A 45-minute visit on ``day`` between 08:00 and 17:00 China time, finished by ``now``."""
    at = clock.moment(day, datetime.min.time()) + timedelta(hours=8, minutes=minutes_after_eight)
    return min(at, now - timedelta(minutes=45))


def _organisation(seed: int, n_districts: int, n_towns: int, n_grids: int, n_officers: int) -> dict:
    """One district (``n_districts`` 1), or a city of ``n_districts`` districts; ``n_towns`` towns
    in each, the grids spread over all the towns, an inspector per grid, officers per town, and at
    the root its admin, officer and supervisor; in a city each district has its own admin too (no
    randomness: the same for every seed's scale)."""
    unit_id = _ids(OrgUnit)
    root_code = f"9{seed % 100000:05d}"
    city = n_districts > 1
    units = []
    if city:
        units.append({"id": unit_id, "code": root_code, "name": "基准市", "kind": "city", "path": f"/{unit_id}/"})
    district_ids = []
    for d in range(n_districts):
        did = unit_id + len(units)
        code = f"{root_code}{d + 1:02d}" if city else root_code
        path = f"/{unit_id}/{did}/" if city else f"/{did}/"
        parent = {"parent_id": unit_id} if city else {}
        units.append(
            {
                "id": did,
                "code": code,
                "name": f"基准{d + 1}区" if city else "基准区",
                "kind": "district",
                "path": path,
                **parent,
            }
        )
        district_ids.append(did)
        for t in range(n_towns):
            uid = unit_id + len(units)
            units.append(
                {
                    "id": uid,
                    "code": f"{code}{t + 1:03d}",
                    "name": f"{TOWNS[t]}镇",
                    "kind": "town",
                    "parent_id": did,
                    "path": f"{path}{uid}/",
                }
            )
    _insert(OrgUnit.__table__, units)
    towns = [u for u in units if u["kind"] == "town"]
    town_ids = [u["id"] for u in towns]
    district_of_town = {u["id"]: u["parent_id"] for u in towns}
    grid_id = _ids(Grid)
    grids = [
        {
            "id": grid_id + g,
            "code": f"B{seed % 1000:03d}-{g + 1:04d}",
            "name": f"{towns[g % len(towns)]['name'][:-1]}第{g + 1}网格",
            "org_unit_id": town_ids[g % len(towns)],
            "area": "基准数据",
        }
        for g in range(n_grids)
    ]
    _insert(Grid.__table__, grids)
    hashed = hash_password(PASSWORD, "scrypt:4096:8:1")
    user_id = _ids(User)
    users, user_roles, links, jurisdictions = [], [], [], []

    def person(username: str, role: str, org: int) -> int:
        nonlocal user_id
        uid = user_id
        user_id += 1
        users.append(
            {
                "id": uid,
                "username": username,
                "display_name": f"{username}",
                "password_hash": hashed,
                "org_unit_id": org,
                "mobile": None,
                "duties": "",
            }
        )
        user_roles.append({"user_id": uid, "role": role})
        return uid

    inspector_of = {}
    for g in grids:
        uid = person(f"g{seed % 1000}{g['id']:06d}", roles.GRID_INSPECTOR, g["org_unit_id"])
        links.append({"user_id": uid, "grid_id": g["id"]})
        inspector_of[g["id"]] = uid
    officers_of: dict[int, list[int]] = {}
    for o in range(n_officers):
        town = town_ids[o % len(town_ids)]
        uid = person(f"o{seed % 1000}{o:05d}", roles.ENFORCEMENT_OFFICER, town)
        jurisdictions.append({"user_id": uid, "org_unit_id": town})
        officers_of.setdefault(town, []).append(uid)
    admin = person(f"admin{seed % 1000}", roles.ADMIN, unit_id)
    jurisdictions.append({"user_id": admin, "org_unit_id": unit_id})
    district_officer = person(f"officer{seed % 1000}", roles.ENFORCEMENT_OFFICER, unit_id)
    jurisdictions.append({"user_id": district_officer, "org_unit_id": unit_id})
    supervisor = person(f"supervisor{seed % 1000}", roles.SOCIAL_SUPERVISOR, unit_id)
    jurisdictions.append({"user_id": supervisor, "org_unit_id": unit_id})
    district_admin = admin
    for d, did in enumerate(district_ids if city else []):
        uid = person(f"admin{seed % 1000}d{d + 1:02d}", roles.ADMIN, did)
        jurisdictions.append({"user_id": uid, "org_unit_id": did})
        district_admin = district_admin if d else uid
    _insert(User.__table__, users)
    _insert(UserRole.__table__, user_roles)
    _insert(InspectorGrid.__table__, links)
    _insert(UserOrgUnit.__table__, jurisdictions)

    return {
        "unit_id": unit_id,
        "grids": grids,
        "inspector_of": inspector_of,
        "officers_of": officers_of,
        "district_officer": district_officer,
        "admin": admin,
        "district_admin": district_admin,
        "district_of_grid": {g["id"]: district_of_town[g["org_unit_id"]] for g in grids},
    }


def _enterprises(
    rng: random.Random, seed: int, district_of_grid: dict[int, int], grids: list[dict], n_towns: int, per_grid: int
) -> list[dict]:
    """``per_grid`` enterprises on each grid, one in 25 closed."""
    enterprise_id = _ids(Enterprise)
    enterprises = []
    for g in grids:
        for k in range(per_grid):
            eid = enterprise_id + len(enterprises)
            t = rng.randrange(len(TRADES))
            enterprises.append(
                {
                    "id": eid,
                    "name": f"苏州{TRADES[t]}{eid}有限公司",
                    "grid_id": g["id"],
                    "district_id": district_of_grid[g["id"]],
                    "uscc": uscc.make("9", "1", "320506", f"{seed % 100:02d}{eid:06d}"[-8:]),
                    "status": "active" if k % 25 else "closed",
                    "industry": INDUSTRIES[t],
                    "risk_grade": rng.choice(["orange", "yellow", "yellow", "blue"]),
                    "operating_address": f"江苏省苏州市吴中区{TOWNS[(g['id']) % n_towns]}路{k + 1}号",
                    "latitude": round(31.2 + rng.uniform(-0.1, 0.1), 6),
                    "longitude": round(120.6 + rng.uniform(-0.1, 0.1), 6),
                    "employee_count": rng.choice([8, 25, 60, 150, 400]),
                }
            )
    _insert(Enterprise.__table__, enterprises)
    return enterprises


def generate(scale: float = 1.0, seed: int = 2026, log=print, districts: int | None = None) -> dict[str, int]:
    """Fill the database; every time written lies in the past of ``clock.now()`` and in the order
    the loop implies (reported ≤ confirmed ≤ rectified ≤ re-checked ≤ closed), whatever the date."""
    rng = random.Random(seed)
    now = clock.now()
    today = clock.day_of(now)
    started = time.perf_counter()
    n_grids = max(2, round(400 * scale))
    # Beyond a district's size, a city: a district (400 grids, 10 towns) per unit of scale.
    n_districts = districts or (round(scale) if scale >= 2 else 1)
    n_towns = max(1, min(len(TOWNS), round(10 * (scale / n_districts) ** 0.5)))
    per_grid = 50
    n_officers = max(1, round(60 * scale))
    n_hazards = round(150_000 * scale)

    org = _organisation(seed, n_districts, n_towns, n_grids, n_officers)
    unit_id, grids, inspector_of = org["unit_id"], org["grids"], org["inspector_of"]
    officers_of, district_officer, admin = org["officers_of"], org["district_officer"], org["admin"]
    enterprises = _enterprises(rng, seed, org["district_of_grid"], grids, n_towns, per_grid)
    db.session.commit()
    log(f"org, people, {len(enterprises)} enterprises: {time.perf_counter() - started:.1f} s")

    # Inspections, results, photos --------------------------------------------------------------
    template = checklists.ensure_general_template()
    items = [
        i
        for i in db.session.scalars(
            sa.select(ChecklistItem).where(ChecklistItem.template_id == template.id).order_by(ChecklistItem.position)
        )
    ][:3]
    images = _images(12, rng)
    db.session.commit()
    periods = [coverage.period_of(today)]
    for _ in range(11):
        periods.append(periods[-1].previous())
    inspection_id, result_id, photo_id, link_id = _ids(Inspection), _ids(ItemResult), _ids(Photo), _ids(InspectionPhoto)
    first_photo_id = photo_id
    current = periods[0]
    by_inspection: list[tuple[int, int, int, int, datetime, int]] = []  # id, enterprise, grid, inspector, at, photo
    for period in periods:
        rows, results, photo_rows, photo_links = [], [], [], []
        last = min(period.end, today)
        span = max(1, (last - period.start).days + 1)
        # Closed enterprises were patrolled until they closed, in this period or the last.
        for e in enterprises if period != current else [x for x in enterprises if x["status"] == "active"]:
            day = period.start + timedelta(days=rng.randrange(span))
            at = _visit_time(day, rng.randrange(9 * 60), now)
            if at < clock.moment(period.start, datetime.min.time()):
                continue  # the period began less than an hour ago: nobody has finished a visit yet
            day = clock.day_of(at)
            iid = inspection_id
            inspection_id += 1
            inspector = inspector_of[e["grid_id"]]
            refused = rng.random() < 0.05
            rows.append(
                {
                    "id": iid,
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "number": f"XJ-{day:%Y%m%d}-{iid:07d}",
                    "enterprise_id": e["id"],
                    "inspector_id": inspector,
                    "template_id": template.id,
                    "state": "refused" if refused else "signed",
                    "started_at": at,
                    "ended_at": at + timedelta(minutes=45),
                    "signed_at": None if refused else at + timedelta(minutes=44),
                    "signer_name": "" if refused else "企业负责人",
                    "work_id_number": "",
                    "parts": "生产车间、仓库",
                    "content": "安全管理、消防、用电",
                    "findings": "",
                    "measures": "",
                    "created_at": at,
                    "updated_at": at + timedelta(minutes=45),
                }
            )
            for pos, item in enumerate(items):
                results.append(
                    {
                        "id": result_id,
                        "inspection_id": iid,
                        "item_id": item.id,
                        "position": pos,
                        "category": item.category,
                        "text": item.text,
                        "result": "pass",
                        "note": "",
                    }
                )
                result_id += 1
            first_photo = photo_id
            for _k in range(2 + (iid % 2)):
                img = images[(iid + _k) % len(images)]
                photo_rows.append({"id": photo_id, **img, "taken_at": at, "uploaded_by_id": inspector})
                photo_links.append({"id": link_id, "inspection_id": iid, "photo_id": photo_id, "caption": ""})
                photo_id += 1
                link_id += 1
            by_inspection.append((iid, e["id"], e["grid_id"], inspector, at, first_photo))
        _insert(Inspection.__table__, rows)
        _insert(ItemResult.__table__, results)
        _insert(Photo.__table__, photo_rows)
        _insert(InspectionPhoto.__table__, photo_links)
        db.session.commit()
    log(f"{len(by_inspection)} inspections, {photo_id - first_photo_id} photos: {time.perf_counter() - started:.1f} s")

    # Hazards and their events ------------------------------------------------------------------
    town_of_grid = {g["id"]: g["org_unit_id"] for g in grids}
    weighted = [s for s, w in HAZARD_STATES for _ in range(w)]
    hazard_id, event_id = _ids(Hazard), _ids(HazardEvent)
    sources = rng.sample(by_inspection, min(n_hazards, len(by_inspection)))
    for start in range(0, len(sources), BATCH):
        rows, events, pics = [], [], []
        for iid, eid, gid, inspector, at, first_photo in sources[start : start + BATCH]:
            status = rng.choice(weighted)
            officer = rng.choice(officers_of.get(town_of_grid[gid]) or [district_officer])
            decided = status != "reported"
            steps = _steps(status)
            times = _step_times(at, len(steps), rng, now)
            confirmed = times[0] if steps and steps[0][0] == "confirm" else None
            deadline = (clock.day_of(confirmed) + timedelta(days=rng.choice([7, 15, 30]))) if confirmed else None
            closed = times[-1] if status == "closed" else None
            rows.append(
                {
                    "id": hazard_id,
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "enterprise_id": eid,
                    "grid_id": gid,
                    "inspection_id": iid,
                    "reporter_id": inspector,
                    "description": rng.choice(DESCRIPTIONS),
                    "place": rng.choice(["车间", "仓库", "配电房", "食堂"]),
                    "proposed_level": "major" if rng.random() < 0.08 else "general",
                    "status": status,
                    "level": ("major" if rng.random() < 0.08 else "general") if confirmed else None,
                    "officer_id": officer if decided else None,
                    "confirmed_at": confirmed,
                    "deadline": deadline,
                    "required_measures": "限期整改" if confirmed else "",
                    "closed_at": closed,
                    "reject_reason": "不属实" if status == "rejected" else "",
                    "created_at": at,
                    "updated_at": times[-1] if times else at,
                    "version": 1,
                }
            )
            pics.append({"hazard_id": hazard_id, "photo_id": first_photo})
            for (action, before, after), step_at in zip(steps, times, strict=True):
                actor = officer if action in ("confirm", "reject") else inspector
                events.append(
                    {
                        "id": event_id,
                        "hazard_id": hazard_id,
                        "actor_id": actor,
                        "actor_role": "enforcement_officer" if actor == officer else "grid_inspector",
                        "action": action,
                        "from_status": before,
                        "to_status": after,
                        "note": "",
                        "data": {},
                        "created_at": step_at,
                    }
                )
                event_id += 1
            hazard_id += 1
        _insert(Hazard.__table__, rows)
        _insert(hazard_photos, pics)
        _insert(HazardEvent.__table__, events)
        db.session.commit()
    log(f"{len(sources)} hazards: {time.perf_counter() - started:.1f} s")

    # Clues and training ------------------------------------------------------------------------
    clue_id = _ids(Clue)
    clue_rows = []
    for c in range(round(2000 * scale)):
        g = rng.choice(grids)
        created = min(
            now,
            clock.moment(today - timedelta(days=rng.randrange(365)), datetime.min.time())
            + timedelta(minutes=rng.randrange(24 * 60)),
        )
        answered_at = created + timedelta(days=rng.randint(1, 20), minutes=rng.randrange(600))
        answered = rng.random() < 0.8 and answered_at <= now  # an answer still to come is not written
        clue_rows.append(
            {
                "id": clue_id + c,
                "code": f"XS{seed % 100:02d}{clue_id + c:08d}"[:12],
                "kind": rng.choice(["violation", "hazard", "criticism", "suggestion"]),
                "content": "群众反映的情况说明。",
                "org_unit_id": g["org_unit_id"],
                "grid_id": g["id"],
                "status": "answered" if answered else "received",
                "due_on": created.date() + timedelta(days=15),
                "answer": "已核实处理。" if answered else "",
                "answered_at": answered_at if answered else None,
                "created_at": created,
                "updated_at": answered_at if answered else created,
            }
        )
    _insert(Clue.__table__, clue_rows)
    session_id = _ids(TrainingSession)
    sessions, attendance = [], []
    for s in range(12):
        day = today - timedelta(days=28 * (12 - s))  # a session every four weeks, the last one over
        sessions.append(
            {
                "id": session_id + s,
                "org_unit_id": unit_id,
                "title": f"在岗培训第{s + 1}期",
                "kind": "in_service",
                "starts_on": day,
                "ends_on": day + timedelta(days=1),
                "days": 2,
            }
        )
    _insert(TrainingSession.__table__, sessions)
    for uid in inspector_of.values():
        for s in rng.sample(sessions, 7):
            attendance.append({"session_id": s["id"], "user_id": uid, "days": 2})
    _insert(TrainingAttendance.__table__, attendance)
    _reset_sequences(
        [
            "org_units",
            "grids",
            "users",
            "enterprises",
            "inspections",
            "inspection_item_results",
            "photos",
            "inspection_photos",
            "hazards",
            "hazard_events",
            "clues",
            "training_sessions",
        ]
    )
    db.session.commit()
    for table in (
        "enterprises",
        "inspections",
        "hazards",
        "hazard_events",
        "photos",
        "inspection_photos",
        "grids",
        "users",
        "clues",
        "inspection_item_results",
    ):
        analyze(table)
    db.session.commit()
    log(f"done: {time.perf_counter() - started:.1f} s")
    return {
        "grids": len(grids),
        "inspectors": len(inspector_of),
        "officers": n_officers,
        "enterprises": len(enterprises),
        "inspections": len(by_inspection),
        "photos": photo_id - first_photo_id,
        "hazards": len(sources),
        "clues": len(clue_rows),
        "admin": admin,
        "district_admin": org["district_admin"],
        "district_officer": district_officer,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--url", help="a database URL to fill (default: a new one)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench")
    instance = tempfile.mkdtemp(prefix="fieldapp-generate-")
    os.environ.setdefault("FIELDAPP_INSTANCE", instance)
    import flask_migrate

    from bench.enterprises import database
    from fieldapp import create_app

    with database(args.db) if not args.url else _given(args.url) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": os.path.join(instance, "media")})
        with app.app_context():
            flask_migrate.upgrade()
            started = time.perf_counter()
            counts = generate(args.scale, args.seed)
            settle()
            took = time.perf_counter() - started
            print(f"settled (vacuumed, analysed): {took:.1f} s")
            shown = {k: v for k, v in counts.items() if k not in ("admin", "district_admin", "district_officer")}
            print(shown, f"in {took:.1f} s on {db.engine.dialect.name}")
            from bench import results

            results.save(
                f"generate-{db.engine.dialect.name}" + (f"-scale{args.scale:g}" if args.scale != 1 else ""),
                [{"measure": "generate", "seconds": round(took, 1), "note": str(shown)}],
                {"scale": args.scale},
            )
    return 0


class _given:
    def __init__(self, url: str):
        self.url = url

    def __enter__(self):
        return self.url

    def __exit__(self, *exc):
        return False


def fill_district(url: str, scale: float, media_root: str | None = None, districts: int | None = None) -> None:
    """Migrate a database, fill it with the district (or city) and analyse it."""
    import flask_migrate

    from fieldapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": media_root or tempfile.mkdtemp()})
    with app.app_context():
        flask_migrate.upgrade()
        generate(scale, log=lambda *_: None, districts=districts)
        settle()
        db.engine.dispose()


def settle() -> None:
    """PostgreSQL: the state autovacuum would have kept over the two years the data spans."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # Two years of inspections written at once left ~12 versions of every enterprise row
        # (each finished inspection updates its enterprise's last_inspected_at): a table five
        # times its size, which autovacuum would have kept reusing over those two years.
        conn.execute(sa.text("VACUUM FULL enterprises"))
        conn.execute(sa.text("VACUUM ANALYZE"))


@contextmanager
def throwaway_district(scale: float, districts: int | None = None):
    """A throwaway PostgreSQL cluster holding a migrated, analysed district; yields its URL."""
    from tests import postgres

    with postgres.throwaway_cluster() as url:
        fill_district(url, scale, districts=districts)
        yield url


if __name__ == "__main__":
    sys.exit(main())
