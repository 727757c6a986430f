"""Commands read by one schema from a form or a JSON body (fieldapp/schemas/commands/): the
hazard report's rules are the same on the page, in the phone's sync and for a command built in
code; each later step of the loop is read by its schema; all say what is wrong in Chinese, field
by field."""

import uuid
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from marshmallow import Schema, ValidationError

from fieldapp import clock
from fieldapp.clock import SHANGHAI
from fieldapp.errors import InputError
from fieldapp.schemas import commands
from fieldapp.schemas.commands.accountability import InterferenceSchema
from fieldapp.schemas.commands.accounts import LoginSchema, NewUserSchema
from fieldapp.schemas.commands.admin import BulletinSchema, CampaignSchema, assessment_schema
from fieldapp.schemas.commands.clues import ClueReportSchema, ClueStepSchema
from fieldapp.schemas.commands.enterprises import EnterpriseRecordSchema
from fieldapp.schemas.commands.hazards import (
    STOP_WORK_LIMITS,
    HazardDecision,
    HazardDecisionSchema,
    HazardReport,
    HazardReportFormSchema,
    RecheckReport,
    RecheckSchema,
    Regrade,
    RegradeSchema,
)
from fieldapp.schemas.commands.people import DeclarationSchema, InspectorFileSchema, LeaveSchema, TrainingCourseSchema
from fieldapp.schemas.sync import HazardUploadSchema
from fieldapp.services import hazards, inspections
from tests.factories import report
from tests.images import jpeg

FORM = {"description": "消防通道堵塞", "place": "仓库", "level": "general", "legal_basis": "", "csrf_token": "x"}


def _form_errors(**changes) -> dict:
    with pytest.raises(InputError) as refused:
        commands.load(HazardReportFormSchema(), FORM | changes)
    return refused.value.errors


def test_a_form_becomes_a_typed_command():
    key = str(uuid.uuid4())
    report = commands.load(
        HazardReportFormSchema(),
        FORM | {"photo_link_ids": ["3", 4], "item_result_id": "7", "client_uuid": key},
    )
    assert report == HazardReport("消防通道堵塞", "仓库", "general", "", (3, 4), 7, key)


def test_each_field_is_refused_in_its_own_words():
    assert _form_errors(description="   ") == {"description": "请描述隐患情况。"}
    assert _form_errors(place="仓" * 201) == {"place": "不能超过 200 个字。"}
    assert _form_errors(level="minor") == {"level": "请选择隐患等级建议：一般或重大。"}
    assert _form_errors(client_uuid="not-a-uuid") == {"client_uuid": "须为有效的 UUID。"}
    missing = dict(FORM)
    del missing["level"], missing["description"]
    with pytest.raises(InputError) as refused:
        commands.load(HazardReportFormSchema(), missing)
    assert refused.value.errors == {"description": "请描述隐患情况。", "level": "请选择隐患等级建议：一般或重大。"}


def test_the_phone_s_sync_reads_the_same_fields_with_the_same_rules():
    body = {"uuid": str(uuid.uuid4()), "description": "隐" * 4001, "level": "major", "media_uuids": [str(uuid.uuid4())]}
    assert HazardUploadSchema().validate(body) == {"description": ["不能超过 4000 个字。"]}
    assert HazardUploadSchema().validate(body | {"description": "好"}) == {}


def test_a_command_built_in_code_is_held_to_the_same_rules(world, db):
    record = inspections.start(world.inspector_a1, world.ent_a1)
    link = inspections.add_photo(world.inspector_a1, record, jpeg())
    with pytest.raises(InputError) as refused:
        inspections.report_hazard(world.inspector_a1, record, HazardReport("", "仓库", "severe", "", (link.id,)))
    assert refused.value.errors == {"description": "请描述隐患情况。", "level": "请选择隐患等级建议：一般或重大。"}
    assert record.hazards == []


def _decision_errors(**values) -> dict:
    base = {
        "level": "general",
        "deadline": (clock.today() + timedelta(days=7)).isoformat(),
        "required_measures": "清理",
    }
    with pytest.raises(InputError) as refused:
        commands.load(HazardDecisionSchema(), base | values)
    return refused.value.errors


@pytest.mark.dated
def test_an_officer_s_decision_is_read_once_with_its_rules(db):
    need = "确认重大事故隐患须填写此项。"
    assert _decision_errors(level="major") == dict.fromkeys(STOP_WORK_LIMITS, need)
    assert _decision_errors(deadline="明天") == {"deadline": "请填写整改期限（日期）。"}
    assert _decision_errors(deadline=(clock.today() - timedelta(days=1)).isoformat()) == {
        "deadline": "整改期限不能早于今天。"
    }
    assert _decision_errors(deadline=(clock.today() + timedelta(days=367)).isoformat()) == {
        "deadline": "整改期限不能超过一年。"
    }
    assert _decision_errors(required_measures="  ", level="minor") == {
        "required_measures": "请写明整改要求。",
        "level": "请选择认定等级：一般隐患或重大事故隐患。",
    }
    decided = commands.load(
        HazardDecisionSchema(),
        {
            "level": "major",
            "deadline": clock.today().isoformat(),
            "required_measures": " 停产整改 ",
            "csrf_token": "x",
            "stop_scope": "仓库",
            "workers_withdrawn": "6 人",
            "emergency_measures": "断电",
            "order_number": "停〔2026〕1号",
        },
    )
    assert decided.required_measures == "停产整改" and decided.stop_work_order()["order_number"] == "停〔2026〕1号"


def test_a_typed_decision_confirms_as_the_form_does(world, db):
    h = report(world)
    decision = HazardDecision("general", clock.today() + timedelta(days=7), "清理通道", "《消防法》第二十八条")
    hazards.confirm(world.officer_a, h, decision)
    assert (h.status, h.level, h.required_measures, h.stop_work) == ("confirmed", "general", "清理通道", False)


def _errors(schema, values) -> dict:
    with pytest.raises(InputError) as refused:
        commands.read(schema, values)
    return refused.value.errors


def test_a_regrade_must_change_the_level_and_order_stop_work_once():
    need = "确认重大事故隐患须填写此项。"
    assert _errors(RegradeSchema("general"), {"level": "general", "note": "复核"}) == {"level": "等级没有变化。"}
    assert _errors(RegradeSchema("general"), {"level": "major", "note": " "}) == {
        "note": "调整等级须写明理由。",
        **dict.fromkeys(STOP_WORK_LIMITS, need),
    }
    # Raised to major under a stop-work order that stands: no second order is asked for.
    raised = commands.read(RegradeSchema("general", ordered=True), {"level": "major", "note": "涉及重大危险源"})
    assert raised == Regrade("major", "涉及重大危险源")
    assert _errors(RegradeSchema("major"), Regrade("minor", "理由")) == {
        "level": "请选择认定等级：一般隐患或重大事故隐患。"
    }


@pytest.mark.dated
def test_a_failed_recheck_needs_its_reason_and_a_new_deadline_a_passed_one_neither(db):
    form = {"note": "", "deadline": "下周", "latitude": "", "longitude": "", "accuracy_m": ""}
    assert commands.read(RecheckSchema(passed=True), form) == RecheckReport()
    assert _errors(RecheckSchema(passed=False), form) == {
        "note": "复查不通过须写明原因。",
        "deadline": "请填写整改期限（日期）。",
    }
    soon = clock.today() + timedelta(days=3)
    failed = commands.read(
        RecheckSchema(passed=False),
        form | {"note": " 仍有杂物 ", "deadline": soon.isoformat(), "latitude": "31.3", "longitude": "120.6"},
    )
    assert failed == RecheckReport("仍有杂物", soon, 31.3, 120.6, None)
    assert failed.position() == {"latitude": 31.3, "longitude": 120.6, "accuracy_m": None}
    late = form | {"note": "未改", "deadline": (clock.today() - timedelta(days=1)).isoformat()}
    assert _errors(RecheckSchema(passed=False), late) == {"deadline": "整改期限不能早于今天。"}
    for latitude in ("北纬", "91", "nan"):
        assert _errors(RecheckSchema(passed=True), form | {"latitude": latitude, "longitude": "120"}) == {
            "position": "定位数据无效，请重新获取位置。"
        }


def test_a_command_is_a_form_s_values_or_a_dataclass_nothing_else():
    with pytest.raises(TypeError):
        commands.read(RecheckSchema(passed=True), "仍有杂物")


# --- every command's schema, on nonsense -------------------------------------------------------

#: Schemas that are judged against something as it stands: what to build them with.
BUILT_WITH = {
    "RegradeSchema": {"current_level": "general"},
    "RecheckSchema": {"passed": False},
    "ClueStepSchema": {"action": "answer"},
    "InspectorFileSchema": {"kept": {"kind": "grid", "status": "active", "contract_type": "staff"}},
    "AttendanceSchema": {"session_days": Decimal(3)},
}
NONSENSE = ["", "   ", "nan", "-1", "²", "9" * 5000, "2026-02-30", "#abc", "北纬"]


def _command_schemas():
    import importlib
    import pkgutil

    import fieldapp.schemas.commands as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                if not name.startswith("_"):
                    yield name, value
    yield "AssessmentSchema", lambda: assessment_schema([SimpleNamespace(id=1, name="巡查覆盖", max_score=30)])


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_command_refuses_nonsense_in_chinese_field_by_field(app):
    schemas = dict(_command_schemas())
    assert {"HazardDecisionSchema", "ClueReportSchema", "DeclarationSchema", "InterferenceSchema"} <= set(schemas)
    assert len(schemas) >= 20
    with app.test_request_context():
        for name, schema_class in schemas.items():
            schema = schema_class(**BUILT_WITH.get(name, {}))
            for junk in NONSENSE:
                values = dict.fromkeys(schema.fields, junk)
                try:
                    commands.load(schema, values)
                except InputError as refused:
                    wrong = {k: v for k, v in refused.errors.items() if not _chinese(v)}
                    assert wrong == {}, f"{name} on {junk!r}"
                    assert set(refused.errors) <= set(schema.fields) | {"position"}, name


@pytest.mark.dated
def test_forms_of_people_and_records_say_what_the_rules_need(db):
    assert _errors(DeclarationSchema(), {"kind": "part_time", "unit_name": "某公司"}) == {
        "role_title": "请填写兼任的职务。",
        "pay": "请填写报酬情况（无报酬请填“无”）。",
        "period_start": "请填写兼职的开始日期。",
    }
    assert _errors(DeclarationSchema(), {"kind": "relative", "unit_name": "某公司", "uscc": "123"})["uscc"].startswith(
        "统一社会信用代码应为 18 位"
    )
    kept = {"kind": "technical_part", "status": "active", "contract_type": "part_time"}
    assert _errors(InspectorFileSchema(kept), {"term_start": "2026-01-01", "term_end": "2030-01-02"}) == {
        "term_end": "兼职技术检查员每个聘期为 3 年，期满可续聘。"
    }
    assert _errors(InspectorFileSchema(kept), {"status": "dismissed"}) == {
        "status": "请选择状态（解聘请使用解聘清单）。"
    }
    assert commands.read(InspectorFileSchema(kept), {"kind": "", "degree": " 本科 "}).kind == "technical_part"
    course = {"title": "岗前", "kind": "pre_job", "starts_on": "2026-12-01", "ends_on": "2026-12-02"}
    assert _errors(TrainingCourseSchema(), course | {"days": "3"}) == {"days": "不能超过本期培训的 2 天。"}
    assert _errors(TrainingCourseSchema(), course | {"days": "0"}) == {"days": "培训天数须大于 0。"}
    assert _errors(TrainingCourseSchema(), course | {"days": "1.3"}) == {"days": "天数以半天为单位。"}
    leave = {"kind": "annual", "starts_on": "2026-01-01", "ends_on": "2026-06-01"}
    assert _errors(LeaveSchema(), leave) == {"ends_on": "一次请假不超过 90 天。"}
    later = (clock.now() + timedelta(days=1)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    record = {"leader_name": "某", "leader_position": "局长", "leader_unit": "某局", "manner": "phone"}
    record |= {"conduct": "obstruction", "request": "不要查了", "occurred_at": later, "hazard_id": "#x1"}
    assert _errors(InterferenceSchema(), record) == {
        "occurred_at": "发生时间不能晚于现在。",
        "hazard_id": "找不到该隐患编号，或不在您的范围内。",
    }
    ended = {"period_start": (clock.today() - timedelta(days=30)).isoformat(), "period_end": clock.today().isoformat()}
    assert _errors(BulletinSchema(), ended) == {"period_end": "只能通报已经结束的时段（结束日期须早于今天）。"}
    plan = {"name": "专" * 101, "starts_on": "2026-12-01", "ends_on": "2026-12-31", "usccs": "123，456"}
    assert _errors(CampaignSchema(), plan) == {
        "name": "请填写专项名称（不超过 100 字）。",
        "usccs": "以下统一社会信用代码无效：123、456",
    }


def test_a_clue_and_its_handling_are_read_by_their_schemas():
    clue = {"kind": "hazard", "content": "太短", "contact_phone": "abc", "latitude": "nan", "longitude": "120.5"}
    assert _errors(ClueReportSchema(), clue) == {
        "content": "请写得具体一些（至少 10 个字），便于核实。",
        "contact_phone": "电话号码格式不正确；可以不填。",
    }
    read = commands.read(ClueReportSchema(), clue | {"content": "仓库门口堆满纸箱，消防通道被堵", "contact_phone": ""})
    assert (read.latitude, read.longitude, read.org_unit_id) == (None, 120.5, None)
    assert _errors(ClueStepSchema("dismiss"), {"note": " "}) == {"note": "请写明不予受理的理由。"}
    assert commands.read(ClueStepSchema("assign"), {"assignee_id": "7"}).assignee_id == 7


def test_the_account_forms_speak_chinese_where_wtforms_spoke_english():
    assert _errors(LoginSchema(), {"login": "a" * 65, "password": "x"}) == {"login": "不能超过 64 个字。"}
    assert _errors(LoginSchema(), {"login": "", "password": ""}) == {
        "login": "请输入用户名或手机号。",
        "password": "请输入密码。",
    }
    assert commands.read(LoginSchema(), {"login": "li", "password": " pass word "})["password"] == " pass word "
    made = commands.read(
        NewUserSchema(), {"username": "li", "roles": ["admin"], "grid_ids": ["3"], "org_unit_id": "zz"}
    )
    assert (made.roles, made.grid_ids, made.org_unit_id) == (["admin"], [3], None)
    assert _errors(NewUserSchema(), {"grid_ids": ["3", "abc"]}) == {"grid_ids": "选项无效，请重新选择。"}


def test_an_enterprise_record_reads_labels_and_pairs_its_coordinates(app):
    row = {"name": "某机械厂", "uscc": "91320506MA1XXXXXXX", "industry": "C33", "scale": "小型", "risk_grade": "黄"}
    with app.test_request_context():
        with pytest.raises(ValidationError) as refused:
            EnterpriseRecordSchema().load(row | {"latitude": "31.2", "status": "营业"})
        assert set(refused.value.messages) == {"uscc", "longitude"}
        assert refused.value.valid_data["risk_grade"] == "yellow"
        assert refused.value.valid_data["status"] == "active"
