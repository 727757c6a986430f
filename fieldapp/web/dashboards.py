"""Dashboards: bimonthly coverage of the grids, hazard statistics."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from fieldapp import clock, codes, fields, policy
from fieldapp.http.guards import permission_required
from fieldapp.i18n import formatted_date
from fieldapp.i18n import gettext as _
from fieldapp.services import coverage, hazards, inspections, statistics, xlsx
from fieldapp.web import charts
from fieldapp.web.exports import send_xlsx

bp = Blueprint("dashboards", __name__)


def _period() -> coverage.Period:
    raw = request.args.get("period")
    if raw is None:
        return coverage.current()
    period = coverage.parse(raw)
    if period is None:
        abort(404)
    return period


@bp.route("/coverage")
@permission_required("coverage.view")
def coverage_index():
    """Per grid and per inspector: enterprises covered / due in a two-month period; per
    department first when the scope is large (``?unit=`` for one department's grids)."""
    period = _period()
    rows = coverage.by_grid(current_user, period)
    due, covered = sum(r.due for r in rows), sum(r.covered for r in rows)
    unit_id = request.args.get("unit", type=fields.ident)
    units = None
    if unit_id:
        rows = [r for r in rows if r.grid.org_unit_id == unit_id]
    elif len(rows) > statistics.GRIDS_ON_ONE_PAGE:
        units = coverage.by_unit(rows)
        rows = []
    return render_template(
        "dashboards/coverage.html",
        period=period,
        rows=rows,
        units=units,
        unit_id=unit_id,
        today=clock.today(),
        current=coverage.current(),
        due=due,
        covered=covered,
        people=coverage.by_inspector(current_user, period, rows) if rows else [],
    )


@bp.route("/coverage/grids/<int:grid_id>")
@permission_required("coverage.view")
def coverage_grid(grid_id: int):
    """A grid's enterprises still to visit in the period, each one tap from an inspection."""
    period = _period()
    grid = policy.get_grid(current_user, grid_id)
    return render_template(
        "dashboards/coverage_grid.html",
        period=period,
        grid=grid,
        rows=coverage.uncovered(current_user, period, grid),
        current=coverage.current(),
        may_start=policy.can(current_user, "inspection.create"),
    )


@bp.route("/statistics")
@permission_required("statistics.view")
def statistics_index():
    """Hazards found, confirmed, rejected, closed and overdue; by org unit, grid, industry and
    level; by month as an SVG chart with its table."""
    filters, problems = statistics.parse_filters(request.args)
    result = statistics.report(current_user, filters)
    # The chart's month names in the page's language ("10月", "Oct"); January carries the year.
    shown = charts.from_first_activity(result.months)
    labels = [formatted_date(m, "MMM" if m.month != 1 else "yyyy.M") for m, _f, _c in shown]
    chart = charts.grouped_bars(
        _("每月发现与销号的隐患"),
        labels,
        [("bar-found", _("发现"), [f for _m, f, _c in shown]), ("bar-closed", _("销号"), [c for _m, _f, c in shown])],
    )

    def unit_link(unit_id):
        """This page with the same filters, for one department (or all, with None)."""
        args = {k: v for k, v in request.args.items() if k not in ("unit", "grid")}
        return url_for("dashboards.statistics_index", **args, **({"unit": unit_id} if unit_id else {}))

    return render_template(
        "dashboards/statistics.html",
        r=result,
        chart=chart,
        problems=problems,
        month_rows=charts.collapse_empty(result.months),
        names=statistics.names(result),
        grids=result.grids,
        unit_link=unit_link,
        industries=codes.INDUSTRIES,
        levels=hazards.LEVEL_LABELS,
    )


@bp.route("/coverage/export.xlsx")
@permission_required("coverage.view")
def coverage_export():
    """The period's coverage per grid, and every enterprise still to visit."""
    period = _period()
    rows = coverage.by_grid(current_user, period)
    grids = [[r.grid.code, r.grid.name, r.grid.org_unit.name, r.due, r.covered, r.left, f"{r.percent}%"] for r in rows]
    names = {r.grid.id: r.grid.code for r in rows}
    todo = (
        [names.get(e.grid_id, ""), e.name, e.uscc, e.operating_address or "", e.status_label]
        for e in coverage.uncovered(current_user, period, limit=100_000)
    )
    with force_locale("zh_CN"):
        out = xlsx.write(
            [
                ("网格覆盖", ["网格编码", "网格", "所属单位", "应覆盖", "已覆盖", "未覆盖", "覆盖率"], grids),
                ("未覆盖企业", ["网格编码", "企业", "统一社会信用代码", "经营地址", "状态"], todo),
            ]
        )
    return send_xlsx(out, f"巡查覆盖-{period.key}.xlsx")


@bp.route("/coverage/inspections.xlsx")
@permission_required("coverage.view")
def inspections_export():
    """The period's finished inspections in scope (read in batches, written row by row)."""
    period = _period()
    lo, hi = period.bounds()
    result = inspections.finished_between(current_user, lo, hi)
    states = {"signed": "已签字", "refused": "拒绝签字"}

    def local(value):
        return value.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = (
        [number, name, code, grid, who, work_id, local(start), local(end), states.get(state, state), signer, n]
        for number, name, code, grid, who, work_id, start, end, state, signer, n in result
    )
    out = xlsx.write(
        [
            (
                "检查记录",
                [
                    "记录编号",
                    "企业",
                    "统一社会信用代码",
                    "网格",
                    "检查人",
                    "工作证号",
                    "开始时间",
                    "结束时间",
                    "状态",
                    "企业签字人",
                    "发现隐患",
                ],
                rows,
            )
        ]
    )
    return send_xlsx(out, f"检查记录-{period.key}.xlsx")
