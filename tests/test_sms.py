"""SMS through Alibaba Cloud's SMS API (issue 35): the request signing checked against the
provider's published example, then delivery to a stand-in (tests/stand_ins.py) that verifies each
request as the documentation says — faults retried, refusals dead, the per-number cap kept, each
message accepted once, no secret in what an admin reads."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from fieldapp import clock
from fieldapp.db import db
from fieldapp.services import outbound
from fieldapp.services.channels import sms
from tests.stand_ins import SMS_SECRET, documented_signature, sms_config, start_sms

#: The example of Alibaba Cloud SMS's "HTTP协议及签名" page: its parameters, AccessKeySecret
#: "testSecret", and the signature and URL it prints.
EXAMPLE = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}
EXAMPLE_URL = (
    "http://dysmsapi.aliyuncs.com/?Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId"
    "&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou"
    "&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8"
    "&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0"
    "&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D"
    "&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
)


def test_the_signing_matches_the_providers_published_example():
    assert sms.sign("testSecret", EXAMPLE) == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert sms.signed_url("http://dysmsapi.aliyuncs.com/", "testSecret", EXAMPLE) == EXAMPLE_URL
    # The stand-in's own reading of the documentation agrees with the example too.
    assert documented_signature("testSecret", EXAMPLE) == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_template_variables_keep_to_the_providers_length():
    message = SimpleNamespace(target="13900000000", title="标" * 50, body="企业" * 40 + "\n第二行", key="k")
    params = sms.params_for(message, {"SMS_ACCESS_KEY_ID": "a", "SMS_SIGN_NAME": "s", "SMS_TEMPLATE_CODE": "t"})
    assert '"title":"' + "标" * 34 + '…"' in params["TemplateParam"]
    assert "第二行" not in params["TemplateParam"]


@pytest.fixture
def provider(app, db, monkeypatch):
    server = start_sms()
    saved = {k: app.config.get(k) for k in sms_config(server)}
    app.config.update(sms_config(server))
    monkeypatch.setattr(sms, "TIMEOUT_S", 1)  # the stand-in's "timeout" answers after 2 s
    yield server
    app.config.update(saved)
    server.shutdown()


def _queue(number="13912345601", key="confirm:1:7:sms", title="隐患已确认，请按期整改"):
    message = outbound.enqueue("sms", number, "confirm", title, key, "苏州甲一精密机械有限公司 · 整改期限 2026-12-14")
    db.session.commit()
    return message


def test_a_message_is_accepted_once_with_its_template_and_trace(provider):
    message = _queue()
    assert outbound.run_once() == {"sent": 1}
    assert outbound.run_once(clock.now() + timedelta(hours=2)) == {}
    [params] = provider.received
    assert params["PhoneNumbers"] == "13912345601" and params["SignName"] == "某区应急管理局"
    assert (
        params["TemplateParam"]
        == '{"title":"隐患已确认，请按期整改","detail":"苏州甲一精密机械有限公司 · 整改期限 2026-12-14"}'
    )
    assert len(params["OutId"]) == 32
    db.session.refresh(message)
    assert message.receipt == "sms:biz-1"


@pytest.mark.parametrize("faults", [[500, "isv.BUSINESS_LIMIT_CONTROL", "timeout", "isp.SYSTEM_ERROR"]])
def test_faults_are_retried_and_the_message_is_accepted_once(provider, faults):
    message = _queue()
    provider.faults = list(faults)
    now = clock.now()
    for attempt in range(len(faults)):
        assert outbound.run_once(now + timedelta(hours=attempt)) == {"pending": 1}, attempt
    assert outbound.run_once(now + timedelta(hours=len(faults))) == {"sent": 1}
    assert len(provider.received) == 1
    db.session.refresh(message)
    assert message.attempts == len(faults) + 1


def test_a_wrong_secret_is_refused_and_the_error_keeps_it_secret(app, provider):
    app.config["SMS_ACCESS_KEY_SECRET"] = "wrong-secret-value"
    message = _queue()
    assert outbound.run_once() == {"dead": 1}
    db.session.refresh(message)
    assert "SignatureDoesNotMatch" in message.last_error
    for secret in ("wrong-secret-value", SMS_SECRET):
        assert secret not in message.last_error
    assert provider.received == []


def test_a_number_the_provider_refuses_is_dead_at_once(provider):
    message = _queue(number="12345")
    assert outbound.run_once() == {"dead": 1}
    db.session.refresh(message)
    assert "isv.MOBILE_NUMBER_ILLEGAL" in message.last_error


def test_one_number_gets_one_message_a_minute(provider):
    _queue(key="a")
    _queue(key="b", title="隐患整改已逾期")
    _queue(number="13912345602", key="c")
    now = clock.now()
    assert outbound.run_once(now) == {"sent": 2, "deferred": 1}
    assert outbound.run_once(clock.now() + timedelta(minutes=1, seconds=1)) == {"sent": 1}
    assert [p["PhoneNumbers"] for p in provider.received] == ["13912345601", "13912345602", "13912345601"]


def test_without_settings_a_message_is_refused_not_retried(app, db):
    app.config["SMS_ACCESS_KEY_ID"] = ""
    message = _queue()
    assert outbound.run_once() == {"dead": 1}
    db.session.refresh(message)
    assert "SMS_ACCESS_KEY_ID" in message.last_error
