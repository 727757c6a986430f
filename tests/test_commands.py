"""Commands read by one schema from a form or a JSON body (fieldapp/schemas/commands/): the
hazard report's rules are the same on the page, in the phone's sync and for a command built in
code; each later step of the loop is read by its schema; all say what is wrong in Chinese, field
by field."""

import uuid
from datetime import timedelta

import pytest

from fieldapp import clock
from fieldapp.errors import InputError
from fieldapp.schemas import commands
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
