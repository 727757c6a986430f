"""The inspector corps for department admins: records, work IDs and cards, equipment, training,
dismissal."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from fieldapp import clock, fields
from fieldapp.errors import InputError, ServiceError
from fieldapp.http.guards import permission_required
from fieldapp.http.params import page_number
from fieldapp.i18n import gettext as _
from fieldapp.services import assessments, corps, notice_board, org, xlsx
from fieldapp.web.board import public_url
from fieldapp.web.exports import send_xlsx
from fieldapp.web.forms import post

bp = Blueprint("corps", __name__, url_prefix="/corps")


def _labels() -> dict:
    return {
        "kind": corps.KIND_LABELS,
        "status": corps.STATUS_LABELS,
        "contract": corps.CONTRACT_LABELS,
        "training": corps.TRAINING_KIND_LABELS,
        "equipment": corps.EQUIPMENT_LABELS,
    }


@bp.route("/")
@permission_required("user.manage")
def index():
    """Every inspector the admin manages: kind, status, work ID, this year's training against the rule."""
    year = clock.today().year
    page = corps.people_page(current_user, page_number(), current_app.config["PAGE_SIZE"])
    records = corps.records_of(page.items)
    totals = corps.training([p.id for p in page.items], year, {uid: r.kind for uid, r in records.items()})
    return render_template(
        "corps/index.html",
        page=page,
        records=records,
        totals=totals,
        year=year,
        renewals=corps.renewals(current_user),
        labels=_labels(),
    )


def _render(person, errors=None, values=None, status=200):
    record = corps.record_of(person)
    year = clock.today().year
    return render_template(
        "corps/show.html",
        person=person,
        record=record,
        errors=errors or {},
        values=values or {},
        labels=_labels(),
        work_ids=corps.work_ids(person),
        equipment=corps.equipment_of(person),
        checklist=corps.checklist(person),
        training=corps.training([person.id], year, {person.id: record.kind})[person.id],
        year=year,
        portrait=notice_board.portrait(person),
    ), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@permission_required("user.manage")
def show(user_id: int):
    person = corps.get_person(current_user, user_id)
    if request.method == "POST":
        try:
            corps.save_record(current_user, person, request.form.to_dict())
        except InputError as refused:
            return _render(person, refused.errors, request.form, 400)
        flash(_("已保存。"), "success")
        return redirect(url_for(".show", user_id=user_id))
    return _render(person)


@bp.route("/<int:user_id>/<any(issue_work_id, revoke_work_id, equipment, dismiss):action>", methods=["POST"])
@permission_required("user.manage")
def act(user_id: int, action: str):
    person = corps.get_person(current_user, user_id)
    form = request.form.to_dict()
    try:
        if action == "issue_work_id":
            issue = corps.issue_work_id(current_user, person)
            message = _("已发放工作证 %(n)s。", n=issue.number)
        elif action == "revoke_work_id":
            corps.revoke_work_id(current_user, person)
            message = _("工作证已收回。")
        elif action == "equipment":
            if "return_id" in form:
                corps.return_equipment(current_user, person, fields.ident(form["return_id"]))
                message = _("已登记归还。")
            else:
                corps.issue_equipment(current_user, person, form)
                message = _("已登记配发。")
        else:
            corps.dismiss(current_user, person, form.get("notice", ""))
            message = _("已解聘，账号已停用。")
    except InputError as refused:
        return _render(corps.get_person(current_user, user_id), refused.errors, form, 400)
    except ServiceError as refused:
        return _render(corps.get_person(current_user, user_id), {"_": refused.message}, form, refused.status)
    flash(message, "success")
    return redirect(url_for(".show", user_id=user_id))


@bp.route("/<int:user_id>/card")
@permission_required("user.manage")
def card(user_id: int):
    """The printable work-ID card (front: photo, name, number, unit; QR to the public board)."""
    person = corps.get_person(current_user, user_id)
    grid = person.grids[0] if person.grids else None
    board_url = public_url("board.show", code=grid.code) if grid else None
    return render_template(
        "corps/card.html",
        person=person,
        record=corps.record_of(person),
        grid=grid,
        portrait=notice_board.portrait(person),
        labels=_labels(),
        qr=notice_board.qr_image(board_url) if board_url else None,
        board_url=board_url,
    )


@bp.route("/training", methods=["GET", "POST"])
@permission_required("user.manage")
def training_index():
    form = post(lambda values: corps.create_session(current_user, values))
    if form.done:
        flash(_("培训已登记，请录入参训人员。"), "success")
        return redirect(url_for(".training_show", session_id=form.result.id))
    return render_template(
        "corps/training.html",
        sessions=corps.sessions_of(current_user),
        units=org.unit_choices(current_user),
        values=form.values,
        errors=form.errors,
        labels=_labels(),
    ), form.status


@bp.route("/training/<int:session_id>", methods=["GET", "POST"])
@permission_required("user.manage")
def training_show(session_id: int):
    session = corps.get_session(current_user, session_id)
    form = post(lambda values: corps.record_attendance(current_user, session, values))
    if form.done:
        flash(_("已登记。"), "success")
        return redirect(url_for(".training_show", session_id=session_id))
    if form.errors:  # read again: what the refused attempt loaded is gone with its transaction
        session = corps.get_session(current_user, session_id)
    people = [(u.id, u.display_name) for u in corps.active_people(current_user)]
    return render_template(
        "corps/training_show.html", s=session, people=people, values=form.values, errors=form.errors, labels=_labels()
    ), form.status


@bp.route("/export.xlsx")
@permission_required("user.manage")
def export():
    """Inspectors with this year's training against the rule, and the year's attendance."""
    year = request.args.get("year", type=fields.year) or clock.today().year
    people = corps.everyone(current_user)
    records = corps.records_of(people)
    totals = corps.training([p.id for p in people], year, {uid: r.kind for uid, r in records.items()})
    labels = _labels()
    with force_locale("zh_CN"):
        rows = [
            [
                p.display_name,
                p.username,
                str(labels["kind"][records[p.id].kind]),
                str(labels["status"][records[p.id].status]),
                p.work_id or "",
                p.mobile or "",
                " ".join(g.code for g in p.grids),
                str(labels["contract"][records[p.id].contract_type]),
                records[p.id].term_start.isoformat() if records[p.id].term_start else "",
                records[p.id].term_end.isoformat() if records[p.id].term_end else "",
                float(totals[p.id].pre_job_days),
                "是" if totals[p.id].exam_passed else "否",
                float(totals[p.id].in_service_days),
                float(totals[p.id].required),
                float(totals[p.id].shortfall),
            ]
            for p in people
        ]
        attendance = [
            [
                a.session.title,
                str(labels["training"][a.session.kind]),
                a.session.starts_on.isoformat(),
                a.session.ends_on.isoformat(),
                a.user.display_name,
                float(a.days),
                "" if a.exam_score is None else a.exam_score,
                "" if a.passed is None else ("是" if a.passed else "否"),
            ]
            for a in corps.attendance(current_user, year)
        ]
        out = xlsx.write(
            [
                (
                    "检查员",
                    [
                        "姓名",
                        "用户名",
                        "类别",
                        "状态",
                        "工作证号",
                        "手机号",
                        "网格",
                        "用工形式",
                        "聘期开始",
                        "聘期结束",
                        "岗前培训天数",
                        "岗前考试合格",
                        f"{year}年在岗培训天数",
                        "应达天数",
                        "差额",
                    ],
                    rows,
                ),
                (f"{year}年培训", ["培训", "类别", "开始", "结束", "姓名", "天数", "成绩", "合格"], attendance),
            ]
        )
    return send_xlsx(out, f"检查员队伍-{year}.xlsx")


@bp.route("/assessments")
@permission_required("user.manage")
def assessments_index():
    """The half-year's assessments: who is done, totals, grades, and who is commended."""
    half = assessments.parse_half(request.args.get("half")) or assessments.half_of(clock.today())
    people = corps.active_people(current_user)
    done = assessments.for_half(current_user, half)
    return render_template(
        "corps/assessments.html",
        half=half,
        people=people,
        done=done,
        best=assessments.commended(list(done.values())),
        grades=assessments.GRADE_LABELS,
        previous=assessments.previous_half(half),
    )


@bp.route("/<int:user_id>/assessments/<half>", methods=["GET", "POST"])
@permission_required("user.manage")
def assess(user_id: int, half: str):
    person = corps.get_person(current_user, user_id)
    if assessments.parse_half(half) != half:
        abort(404)
    form = post(lambda values: assessments.save(current_user, person, half, values))
    if form.done:
        flash(_("考核已保存。"), "success")
        return redirect(url_for(".assessments_index", half=half))
    values, errors, status = form.values, form.errors, form.status
    existing = next((a for a in assessments.history(person) if a.half == half), None)
    if existing and not values:
        by_name = {s["item"]: s["score"] for s in existing.scores}
        values = {"comments": existing.comments}
    else:
        by_name = {}
    items = assessments.items(current_user)
    for item in items:
        values.setdefault(f"item-{item.id}", str(by_name.get(item.name, "")))
    return render_template(
        "corps/assess.html",
        person=person,
        half=half,
        items=items,
        values=values,
        errors=errors,
        figures=assessments.figures(person, half),
        metrics=assessments.METRICS,
        history=assessments.history(person),
        grades=assessments.GRADE_LABELS,
    ), status
