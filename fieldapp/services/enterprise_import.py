"""Enterprise import (XLSX or CSV in UTF-8 / GBK / GB18030) and export (XLSX).

Import is two steps. ``preview`` reads and checks every row and keeps the result
in an ImportBatch; nothing touches the registry. ``commit`` re-checks (the
registry may have changed meanwhile) and writes, in one transaction, either
all rows (refused if any row is bad) or only the valid rows, as the admin chose.
"""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from fieldapp import clock, codes, policy
from fieldapp.db import analyze, db, transaction
from fieldapp.errors import NotFound, ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.i18n import ngettext
from fieldapp.models import Enterprise, EnterpriseChange, Grid, ImportBatch, User
from fieldapp.models.enterprises import ENTERPRISE_STATUSES
from fieldapp.services import audit, enterprises, xlsx

MAX_ROWS = 20_000
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Chinese header used in files
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("name", "企业名称", True, ("名称", "单位名称", "name")),
    Column("uscc", "统一社会信用代码", True, ("信用代码", "社会信用代码", "uscc")),
    Column("grid", "网格编号", True, ("网格", "所属网格", "grid")),
    Column("status", "状态", False, ("status",)),
    Column("industry", "行业代码", False, ("行业", "industry")),
    Column("scale", "规模", False, ("scale",)),
    Column("risk_grade", "风险等级", False, ("risk_grade",)),
    Column("registered_address", "注册地址", False, ("registered_address",)),
    Column("operating_address", "经营地址", False, ("地址", "operating_address")),
    Column("latitude", "纬度", False, ("latitude", "lat")),
    Column("longitude", "经度", False, ("longitude", "lng", "lon")),
    Column("legal_representative", "法定代表人", False, ("法人", "legal_representative")),
    Column("safety_manager_name", "安全负责人", False, ("safety_manager_name",)),
    Column("safety_manager_mobile", "安全负责人手机", False, ("安全负责人电话", "safety_manager_mobile")),
    Column("employee_count", "从业人数", False, ("员工人数", "employee_count")),
    Column("notes", "备注", False, ("notes",)),
)
_BY_HEADER = {name: c.key for c in COLUMNS for name in (c.header, *c.aliases)}


class ImportError_(ServiceError):
    """The file as a whole cannot be imported (format, encoding, columns, size)."""


# --- reading files ---------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise ImportError_(_("Excel 文件已损坏或无法读取，请重新保存为 .xlsx 后再试。")) from None
    sheet = book.worksheets[0]
    for row in sheet.iter_rows():
        yield [(cell.value if getattr(cell, "data_type", None) != "f" else _Formula(cell.value)) for cell in row]
    book.close()


class _Formula(str):
    """A cell holding a formula: refused, since its value depends on another program."""


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。"))


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    text = _decode_csv(data)
    if "\x00" in text:
        raise ImportError_(_("文件不是表格（CSV 或 Excel）。"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def read_rows(filename: str, data: bytes) -> Iterator[list[Any]]:
    if not data:
        raise ImportError_(_("文件是空的。"))
    if len(data) > MAX_BYTES:
        raise ImportError_(_("文件超过 %(mb)d MB。", mb=MAX_BYTES // (1024 * 1024)))
    if data.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ImportError_(_("Excel 文件已损坏或无法读取，请重新保存为 .xlsx 后再试。"))
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportError_(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入。"))
    lowered = filename.lower()
    if lowered.endswith((".xlsx", ".xlsm")):
        raise ImportError_(_("Excel 文件已损坏或无法读取，请重新保存为 .xlsx 后再试。"))
    if not lowered.endswith((".csv", ".txt")) and b"\x00" in data[:2048]:
        raise ImportError_(_("文件不是表格（CSV 或 Excel）。"))
    return _csv_rows(data)


# --- preview ---------------------------------------------------------------------


def _header_map(header: list[Any]) -> tuple[dict[int, str], list[str]]:
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        name = _cell_text(cell).replace(" ", "").replace("*", "")
        if not name:
            continue
        key = _BY_HEADER.get(name) or _BY_HEADER.get(name.lower())
        if key and key not in mapping.values():
            mapping[index] = key
        else:
            unknown.append(name)
    return mapping, unknown


def _scope_lookups(actor: User) -> tuple[dict[str, Grid], set[tuple[int, str]]]:
    grids = db.session.scalars(policy.grid_scope(actor).options(sa.orm.joinedload(Grid.org_unit))).all()
    by_code = {g.code: g for g in grids} | {g.name: g for g in grids}
    districts = {enterprises.district_id_of(g) for g in grids}
    known = {
        (d, c)
        for d, c in db.session.execute(
            sa.select(Enterprise.district_id, Enterprise.uscc).where(Enterprise.district_id.in_(districts))
        )
    }
    return by_code, known


def check_rows(actor: User, rows: list[dict]) -> list[dict]:
    """Validate parsed rows in place: each gets ``errors`` (field -> message) and, if valid, ``clean``."""
    grids_by_code, known = _scope_lookups(actor)
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        values = row["values"]
        errors = dict(row.get("cell_errors", {}))
        cleaned = enterprises.clean(values, actor, grids_by_code=grids_by_code, known_codes=known)
        errors.update({k: v for k, v in cleaned.errors.items() if k not in errors})
        key = (cleaned.values.get("district_id"), cleaned.values.get("uscc"))
        if "uscc" not in errors and "grid" not in errors:
            if key in seen:
                errors["uscc"] = _("与第 %(row)d 行的统一社会信用代码重复。", row=seen[key])
            else:
                seen[key] = row["row"]
        row["errors"] = errors
        row["clean"] = (
            None
            if errors
            else {k: v for k, v in cleaned.values.items() if k in enterprises.EDITABLE or k == "district_id"}
        )
    return rows


@transaction
def preview(actor: User, filename: str, data: bytes) -> ImportBatch:
    policy.require(actor, "enterprise.import")
    iterator = read_rows(filename, data)
    header = None
    for first in iterator:
        if any(_cell_text(c) for c in first):
            header = first
            break
    if header is None:
        raise ImportError_(_("文件中没有数据。"))
    mapping, _ignored = _header_map(header)
    missing = [c.header for c in COLUMNS if c.required and c.key not in mapping.values()]
    if missing:
        raise ImportError_(_("缺少必需的列：%(cols)s。请使用导入模板的表头。", cols=_("、").join(missing)))
    rows: list[dict] = []
    line = 1
    for raw in iterator:
        line += 1
        if not any(_cell_text(c) for c in raw):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportError_(_("一次最多导入 %(max)d 行，请把文件拆分后分批导入。", max=MAX_ROWS))
        values: dict[str, str] = {}
        cell_errors: dict[str, str] = {}
        for index, key in mapping.items():
            cell = raw[index] if index < len(raw) else None
            if isinstance(cell, _Formula) or (isinstance(cell, str) and cell.startswith("=")):
                cell_errors[key] = _("单元格含有公式，请复制后“粘贴为数值”再导入。")
                values[key] = ""
            else:
                values[key] = _cell_text(cell)
        rows.append({"row": line, "values": values, "cell_errors": cell_errors})
    if not rows:
        raise ImportError_(_("文件中只有表头，没有数据行。"))
    check_rows(actor, rows)
    batch = ImportBatch(
        token=secrets.token_urlsafe(16),
        actor_id=actor.id,
        filename=filename[:200],
        total_rows=len(rows),
        valid_rows=sum(1 for r in rows if not r["errors"]),
        rows=[
            {"row": r["row"], "values": r["values"], "errors": r["errors"], "cell_errors": r["cell_errors"]}
            for r in rows
        ],
    )
    db.session.add(batch)
    db.session.commit()
    return batch


def get_batch(actor: User, token: str) -> ImportBatch:
    batch = db.session.scalar(
        sa.select(ImportBatch).where(ImportBatch.token == token, ImportBatch.actor_id == actor.id)
    )
    if batch is None:
        raise NotFound(_("找不到该导入批次，或它不属于您。"))
    return batch


@transaction
def apply(actor: User, batch: ImportBatch, mode: str) -> int:
    """Write the batch: mode "all" (nothing if any row is bad) or "valid" (the good rows)."""
    policy.require(actor, "enterprise.import")
    if batch.state != "preview":
        raise ServiceError(_("该批次已处理过，不能重复导入。"))
    if mode not in ("all", "valid"):
        raise ServiceError(_("请选择导入方式。"))
    rows = [{"row": r["row"], "values": r["values"], "cell_errors": r.get("cell_errors", {})} for r in batch.rows]
    check_rows(actor, rows)  # the registry may have changed since the preview
    bad = [r for r in rows if r["errors"]]
    if mode == "all" and bad:
        listed = _("、").join(str(r["row"]) for r in bad[:10]) + ("…" if len(bad) > 10 else "")
        raise ServiceError(
            ngettext(
                "有 %(num)d 行存在问题（第 %(rows)s 行），按“全部导入或全部不导入”的选择，本次未导入任何数据。",
                "有 %(num)d 行存在问题（第 %(rows)s 行），按“全部导入或全部不导入”的选择，本次未导入任何数据。",
                len(bad),
                rows=listed,
            )
        )
    good = [r["clean"] for r in rows if not r["errors"]]
    now = clock.now()
    if good:
        for values in good:
            values.update(created_at=now, updated_at=now, pending_review=False)
        try:
            inserted = (
                db.session.execute(sa.insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True), good)
                .scalars()
                .all()
            )
        except sa.exc.IntegrityError:
            # Someone filed one of these codes between our check and the insert.
            db.session.rollback()
            raise ServiceError(_("导入时有企业被他人同时录入，本次未导入任何数据，请重新确认导入。")) from None
        changes = db.session.scalars(
            sa.insert(EnterpriseChange).returning(EnterpriseChange.id),
            [
                {
                    "enterprise_id": eid,
                    "actor_id": actor.id,
                    "at": now,
                    "kind": "imported",
                    "changes": {"uscc": [None, v["uscc"]], "name": [None, v["name"]]},
                    "note": batch.filename,
                    "photo_id": None,
                }
                for eid, v in zip(inserted, good, strict=True)
            ],
        ).all()
        # Chained as the rows now read, whole, so that a later check of each row against the trail holds.
        for model, ids in ((Enterprise, inserted), (EnterpriseChange, changes)):
            for start in range(0, len(ids), 1000):
                audit.bulk_rows(
                    db.session,
                    "create",
                    db.session.scalars(sa.select(model).where(model.id.in_(ids[start : start + 1000]))),
                )
    batch.state = "committed"
    batch.committed_count = len(good)
    db.session.commit()
    if len(good) > 1000:
        analyze("enterprises")
        db.session.commit()
    return len(good)


@transaction
def discard(actor: User, batch: ImportBatch) -> None:
    if batch.state == "preview":
        batch.state = "discarded"
        batch.rows = []
        db.session.commit()


# --- export and template -----------------------------------------------------------


def _export_row(e: Enterprise) -> list[Any]:
    return [
        e.name,
        e.uscc,
        e.grid.code,
        e.status_label,
        e.industry or "",
        e.scale_label,
        e.risk_grade_label,
        e.registered_address,
        e.operating_address,
        e.latitude,
        e.longitude,
        e.legal_representative,
        e.safety_manager_name,
        e.safety_manager_mobile,
        e.employee_count,
        e.notes,
    ]


def write_xlsx(rows: Iterable[list[Any]], extra_sheets: dict[str, list[list[Any]]] | None = None) -> bytes:
    """The enterprise sheet (required columns marked *), and any extra sheets (first row bold)."""
    with force_locale("zh_CN"):
        headers = [c.header + ("*" if c.required else "") for c in COLUMNS]
        sheets = [("企业", headers, rows)] + [
            (title, content[0] if content else [], content[1:]) for title, content in (extra_sheets or {}).items()
        ]
        return xlsx.write(sheets).read()


def export(actor: User, query: sa.Select) -> bytes:
    policy.require(actor, "enterprise.export")
    result = db.session.scalars(query.options(sa.orm.joinedload(Enterprise.grid)).execution_options(yield_per=1000))
    with force_locale("zh_CN"):
        return write_xlsx(_export_row(e) for e in result)


def template(actor: User) -> bytes:
    policy.require(actor, "enterprise.import")
    grids = db.session.scalars(policy.grid_scope(actor).order_by(Grid.code)).all()
    with force_locale("zh_CN"):
        example = [
            "苏州示例精密机械有限公司",
            "91320506MA1XXXXXXX",
            grids[0].code if grids else "MD-01",
            "在营",
            "C34",
            "小型",
            "黄",
            "江苏省苏州市吴中区示例路 1 号",
            "江苏省苏州市吴中区示例路 1 号",
            "31.262000",
            "120.508000",
            "张三",
            "李四",
            "13800000000",
            "50",
            "示例行，导入前请删除",
        ]
        guide = [
            ["说明"],
            ["带 * 的列必须填写；统一社会信用代码须 18 位且校验位正确。"],
            ["坐标为 WGS-84（GPS 原始坐标），十进制度数。"],
            [],
            ["网格编号", "网格名称"],
        ]
        guide += [[g.code, g.name] for g in grids]
        guide += [[], ["行业代码", "行业名称"]] + [[k, str(v)] for k, v in codes.INDUSTRIES.items()]
        guide += [[], ["状态"]] + [[str(v)] for v in ENTERPRISE_STATUSES.values()]
        guide += [[], ["规模"]] + [[str(v)] for v in codes.SCALES.values()]
        guide += [[], ["风险等级"], ["红"], ["橙"], ["黄"], ["蓝"]]
    return write_xlsx([example], {"填写说明": guide})
