"""A realistic demo district: Wuzhong (吴中区, Suzhou), three towns/zones, 15 grids,
330 enterprises with valid credit codes, and one account per role.

Deterministic (seeded), and idempotent: loading twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from fieldapp import clock, roles
from fieldapp.db import analyze, db
from fieldapp.models import (
    CompanyManager,
    Enterprise,
    Grid,
    InspectorGrid,
    OrgUnit,
    RiskPoint,
    SelfCheck,
    SelfCheckItem,
    User,
    UserOrgUnit,
    UserRole,
)
from fieldapp.services import checklists, corps, uscc, workdays
from fieldapp.services.accounts import hash_password
from fieldapp.services.org import create_grid, create_org_unit

DISTRICT_CODE = "320506"
DEMO_PASSWORD = "Demo2026"  # noqa: S105 - printed in the README on purpose
GRIDS_PER_UNIT = 5
ENTERPRISES_PER_GRID = 22

UNITS = [
    # code, name, kind, grid prefix, roads, centre (WGS-84)
    (
        "320506101",
        "木渎镇",
        "town",
        "MD",
        ["金山路", "中山东路", "珠江南路", "长江路", "灵天路", "木东公路", "藏书路"],
        (31.262, 120.508),
    ),
    (
        "320506104",
        "甪直镇",
        "town",
        "LZ",
        ["甫澄南路", "晓市路", "凌港路", "海藏西路", "甪胜路", "澄墩路"],
        (31.265, 120.862),
    ),
    (
        "320506400",
        "吴中经济技术开发区",
        "zone",
        "KF",
        ["吴中大道", "东吴南路", "郭巷街道尹山湖路", "旺山路", "宝带东路", "通达路", "吴淞江大道"],
        (31.236, 120.640),
    ),
]

TRADE_NAMES = list(
    "恒达 金鑫 华盛 永嘉 瑞丰 宏远 鼎新 昌隆 天成 新宇 博润 和泰 盛源 丰华 佳信 中联 东方 汇通 长城 锦程 "
    "正泰 远航 信达 凯旋 银河 华美 立新 宝丰 福田 海纳 启明 晨光 明辉 万通 振华 德润 嘉禾 同创 诚信 旭日 "
    "吴越 太湖 东山 胥江 澄湖 灵岩 穹窿 渔洋 香山 光福".split()
)
#: trade word in the company name -> GB/T 4754 division
INDUSTRIES = {
    "精密机械": "C34",
    "五金制品": "C33",
    "塑胶制品": "C29",
    "电子科技": "C39",
    "纺织印染": "C17",
    "化工": "C26",
    "包装材料": "C22",
    "食品": "C14",
    "家具制造": "C21",
    "物流": "G59",
    "金属表面处理": "C33",
    "涂料": "C26",
    "木业": "C20",
    "新材料": "C30",
    "汽车零部件": "C36",
    "光电科技": "C39",
    "建材": "C30",
    "模具": "C35",
    "服饰": "C18",
    "印务": "C23",
}
#: Industries whose workshops get a higher risk grade in the demo.
RISKY = {"C26", "C33", "C20", "C22", "G59"}
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗沈顾钱陆")
GIVEN = [
    "伟",
    "芳",
    "敏",
    "静",
    "磊",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "志强",
    "晓东",
    "海燕",
    "文斌",
    "丽华",
    "国平",
    "雪梅",
    "俊",
    "婷",
    "建国",
    "春生",
    "玉兰",
    "永康",
]


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    display_name: str
    mobile: str
    #: what the account is attached to: a grid code, an org-unit code, or "enterprise:<grid code>"
    attach: str


DEMO_ACCOUNTS = [
    DemoAccount(roles.GRID_INSPECTOR, "inspector", "王建华", "13900000001", "MD-01"),
    DemoAccount(roles.GRID_INSPECTOR, "inspector2", "李海燕", "13900000002", "LZ-01"),
    DemoAccount(roles.TECHNICAL_INSPECTOR, "techinspector", "周志强", "13900000003", "MD-02"),
    DemoAccount(roles.ENFORCEMENT_OFFICER, "officer", "陈国平", "13900000004", "320506101"),
    DemoAccount(roles.COMPANY_MANAGER, "company", "朱春生", "13900000005", "enterprise:MD-01"),
    DemoAccount(roles.COMPANY_MANAGER, "company2", "顾玉兰", "13900000006", "enterprise:LZ-01"),
    DemoAccount(roles.SOCIAL_SUPERVISOR, "supervisor", "沈文斌", "13900000007", DISTRICT_CODE),
    DemoAccount(roles.ADMIN, "admin", "钱丽华", "13900000008", DISTRICT_CODE),
    DemoAccount(roles.DISCIPLINE_INSPECTOR, "discipline", "陆永康", "13900000009", DISTRICT_CODE),
]


def is_loaded() -> bool:
    return db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == DISTRICT_CODE)) is not None


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _enterprise_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add(f"苏州{rng.choice(TRADE_NAMES)}{rng.choice(list(INDUSTRIES))}有限公司")
    ordered = sorted(names)  # sets iterate in hash order, which varies per process
    rng.shuffle(ordered)
    return ordered


def _codes(rng: random.Random, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(uscc.make("9", "1", DISTRICT_CODE, f"{rng.randrange(10**8):08d}"))
    ordered = sorted(codes)
    rng.shuffle(ordered)
    return ordered


def load(hash_method: str = "scrypt") -> bool:
    """Create the demo district. Returns False (and does nothing) if it is already there."""
    if is_loaded():
        return False
    rng = random.Random(20261122)
    district = create_org_unit(DISTRICT_CODE, "吴中区", "district")
    total = len(UNITS) * GRIDS_PER_UNIT * ENTERPRISES_PER_GRID
    names, codes = _enterprise_names(rng, total), _codes(rng, total)
    statuses = ["active"] * 90 + ["new"] * 3 + ["relocated"] * 2 + ["closed"] * 3 + ["suspended"] * 2
    grids: dict[str, Grid] = {}
    units: dict[str, OrgUnit] = {DISTRICT_CODE: district}
    first_enterprise: dict[str, Enterprise] = {}
    n = 0
    for code, name, kind, prefix, roads, (lat0, lng0) in UNITS:
        unit = units[code] = create_org_unit(code, name, kind, district)
        for g in range(1, GRIDS_PER_UNIT + 1):
            grid_roads = rng.sample(roads, 3)
            grid = grids[f"{prefix}-{g:02d}"] = create_grid(
                unit, f"{prefix}-{g:02d}", f"{name}第{g}网格", "、".join(grid_roads) + "沿线"
            )
            db.session.flush()
            for _i in range(ENTERPRISES_PER_GRID):
                address = (
                    f"江苏省苏州市吴中区{'' if kind == 'zone' else name}{rng.choice(grid_roads)}{rng.randint(1, 999)}号"
                )
                industry = next(v for k, v in INDUSTRIES.items() if k in names[n])
                employees = rng.choice([6, 12, 25, 48, 80, 150, 320, 600])
                e = Enterprise(
                    name=names[n],
                    uscc=codes[n],
                    grid_id=grid.id,
                    district_id=district.id,
                    status=rng.choice(statuses),
                    registered_address=address,
                    operating_address=address
                    if rng.random() < 0.85
                    else f"江苏省苏州市吴中区{name}{rng.choice(roads)}{rng.randint(1, 999)}号",
                    latitude=round(lat0 + rng.uniform(-0.03, 0.03), 6),
                    longitude=round(lng0 + rng.uniform(-0.03, 0.03), 6),
                    industry=industry,
                    scale="micro"
                    if employees < 10
                    else "small"
                    if employees < 100
                    else "medium"
                    if employees < 500
                    else "large",
                    risk_grade=rng.choice(
                        ["orange", "yellow", "yellow"] if industry in RISKY else ["yellow", "blue", "blue"]
                    ),
                    legal_representative=_person(rng),
                    safety_manager_name=_person(rng),
                    safety_manager_mobile=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    employee_count=employees,
                )
                db.session.add(e)
                first_enterprise.setdefault(grid.code, e)
                n += 1
    db.session.flush()

    password_hash = {}

    def add_user(username: str, display_name: str, mobile: str, role: str, unit: OrgUnit) -> User:
        # One hash per load: all demo users share the demo password, and scrypt is slow on purpose.
        if "h" not in password_hash:
            password_hash["h"] = hash_password(DEMO_PASSWORD, hash_method)
        user = User(
            username=username, display_name=display_name, mobile=mobile, password_hash=password_hash["h"], org_unit=unit
        )
        user.role_rows = [UserRole(role=role)]
        db.session.add(user)
        db.session.flush()
        return user

    listed_grids = {a.attach for a in DEMO_ACCOUNTS if a.role in roles.INSPECTORS}
    for account in DEMO_ACCOUNTS:
        if account.attach.startswith("enterprise:"):
            enterprise = first_enterprise[account.attach.split(":", 1)[1]]
            user = add_user(
                account.username, account.display_name, account.mobile, account.role, enterprise.grid.org_unit
            )
            db.session.add(CompanyManager(user_id=user.id, enterprise_id=enterprise.id))
        elif account.attach in grids:
            grid = grids[account.attach]
            user = add_user(account.username, account.display_name, account.mobile, account.role, grid.org_unit)
            db.session.add(InspectorGrid(user_id=user.id, grid_id=grid.id))
        else:
            unit = units[account.attach]
            user = add_user(account.username, account.display_name, account.mobile, account.role, unit)
            db.session.add(UserOrgUnit(user_id=user.id, org_unit_id=unit.id))

    _company_records(first_enterprise["MD-01"], rng)
    _company_records(first_enterprise["LZ-01"], rng)

    # Every other grid gets its own inspector, so the district looks staffed.
    for i, (code, grid) in enumerate(sorted(grids.items()), start=1):
        if code in listed_grids:
            continue
        user = add_user(f"wgy{i:03d}", _person(rng), f"1380000{i:04d}", roles.GRID_INSPECTOR, grid.org_unit)
        db.session.add(InspectorGrid(user_id=user.id, grid_id=grid.id))
    for user in db.session.scalars(sa.select(User).join(InspectorGrid, InspectorGrid.user_id == User.id)):
        user.duties = "负责本网格内企业的日常安全巡查、隐患上报和整改复查"
    checklists.ensure_general_template()
    db.session.commit()
    workdays.load_official()  # the State Council's calendar, as an install loads it
    _work_ids(district)
    analyze("enterprises", "grids", "org_units")
    db.session.commit()
    return True


def _work_ids(district: OrgUnit) -> None:
    """The demo inspectors did their month of pre-job training, passed the exam and hold work IDs
    (seed 001 art. 14), as inspectors on duty do; the other grids' inspectors are still in training."""
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    start = clock.today() - timedelta(days=150)
    session = corps.create_session(
        admin,
        {
            "title": "岗前培训（第一期）",
            "kind": "pre_job",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=34)).isoformat(),
            "days": "30",
            "org_unit_id": str(district.id),
        },
    )
    for account in DEMO_ACCOUNTS:
        if account.role in roles.INSPECTORS:
            person = db.session.scalar(sa.select(User).where(User.username == account.username))
            corps.record_attendance(admin, session, {"user_id": str(person.id), "days": "30", "exam_score": "88"})
            corps.issue_work_id(admin, person)


RISK_POINTS = [
    # place, hazard type, level, measures (empty = a gap the online patrol shows), check every n days
    ("喷漆车间", "fire", "orange", "防爆电气；禁止明火；通风系统每班点检；灭火器每月检查", 7),
    ("危化品仓库", "poisoning", "red", "双人双锁；分区分类存放；可燃气体报警联动排风", 7),
    ("冲压机", "machinery", "yellow", "", 30),
    ("配电房", "electric", "yellow", "持证电工操作；绝缘用具定期检测", 30),
    ("叉车作业区", "vehicle", "blue", "限速 5 km/h；专人指挥；持证驾驶", 30),
]


def _company_records(enterprise: Enterprise, rng: random.Random) -> None:
    """Risk points and self-checks for a demo company, with the gaps an inspector looks for."""
    today = clock.today()
    points = []
    for place, hazard, level, measures, every in RISK_POINTS:
        point = RiskPoint(
            enterprise_id=enterprise.id,
            place=place,
            hazard_type=hazard,
            risk_level=level,
            control_measures=measures,
            responsible_person=_person(rng),
            check_every_days=every,
        )
        db.session.add(point)
        points.append(point)
    db.session.flush()
    # An old check of everything but the forklift area, a recent one of the paint shop with a problem.
    old = SelfCheck(
        enterprise_id=enterprise.id,
        checked_on=today - timedelta(days=20),
        checked_by=enterprise.safety_manager_name or _person(rng),
    )
    old.items = [SelfCheckItem(risk_point_id=p.id, ok=True) for p in points[:4]]
    recent = SelfCheck(
        enterprise_id=enterprise.id,
        checked_on=today - timedelta(days=3),
        checked_by=enterprise.safety_manager_name or _person(rng),
    )
    recent.items = [SelfCheckItem(risk_point_id=points[0].id, ok=False, problem="两具灭火器压力不足，已报修")]
    db.session.add_all([old, recent])


def accounts() -> list[dict]:
    """The demo accounts as scripts need them: role, login, password, and what they are attached to."""
    out = []
    for account in DEMO_ACCOUNTS:
        user: User | None = db.session.scalar(sa.select(User).where(User.username == account.username))
        if user is None:
            continue
        entry = {
            "role": account.role,
            "username": user.username,
            "password": DEMO_PASSWORD,
            "display_name": user.display_name,
            "mobile": user.mobile,
        }
        if user.grids:
            g = user.grids[0]
            entry["grid"] = {"id": g.id, "code": g.code, "name": g.name}
        elif user.enterprises:
            e = user.enterprises[0]
            entry["enterprise"] = {"id": e.id, "uscc": e.uscc, "name": e.name}
        elif user.jurisdictions:
            u = user.jurisdictions[0]
            entry["org_unit"] = {"id": u.id, "code": u.code, "name": u.name}
        out.append(entry)
    return out
