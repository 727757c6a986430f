"""SMS through Alibaba Cloud's SMS service (阿里云短信服务, dysmsapi ``SendSms``, API version
2017-05-25), signed the way its RPC API documents it (signature version 1.0, HMAC-SHA1): the
query's parameters sorted and percent-encoded (RFC 3986: space as %20, ``*`` as %2A, ``~`` kept),
the string "GET&%2F&<encoded query>", keyed by "<AccessKeySecret>&", Base64.

Settings: SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET (a RAM user's, allowed only dysms), SMS_SIGN_NAME
(the approved 签名) and SMS_TEMPLATE_CODE — an approved notification template with two variables,
e.g. "${title}：${detail}，请登录系统查看处理。" (each variable at most 35 characters, as the
provider limits them). SMS_ENDPOINT points elsewhere only for a test's stand-in.

The provider holds one number to one message a minute by default (``PER_MINUTE``; its answer
``isv.BUSINESS_LIMIT_CONTROL`` is "try later"); the outbox key travels as ``OutId`` for tracing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime

from fieldapp.services.channels import Refused, Retry

TIMEOUT_S = 10
PER_MINUTE = 1
ENDPOINT = "https://dysmsapi.aliyuncs.com/"
#: Variables of a notification template are cut to this many characters.
VARIABLE_LIMIT = 35
#: Answers worth trying again: flow control, the provider's own trouble.
RETRY_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "ServiceUnavailable", "isp.SYSTEM_ERROR"}


def encode(value: str) -> str:
    """Alibaba Cloud's percent-encoding: RFC 3986 unreserved characters kept, UTF-8 otherwise."""
    return urllib.parse.quote(value, safe="-_.~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))


def sign(secret: str, params: dict[str, str], method: str = "GET") -> str:
    """The request's Signature (before it is percent-encoded into the URL)."""
    to_sign = f"{method}&{encode('/')}&{encode(canonical_query(params))}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


def signed_url(endpoint: str, secret: str, params: dict[str, str]) -> str:
    return f"{endpoint}?Signature={encode(sign(secret, params))}&{canonical_query(params)}"


def _cut(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= VARIABLE_LIMIT else line[: VARIABLE_LIMIT - 1] + "…"


def params_for(message, config: dict, now: datetime | None = None, nonce: str | None = None) -> dict[str, str]:
    return {
        "AccessKeyId": config["SMS_ACCESS_KEY_ID"],
        "Action": "SendSms",
        "Format": "JSON",
        "RegionId": "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
        "PhoneNumbers": message.target,
        "SignName": config["SMS_SIGN_NAME"],
        "TemplateCode": config["SMS_TEMPLATE_CODE"],
        "TemplateParam": json.dumps(
            {"title": _cut(message.title), "detail": _cut(message.body.splitlines()[0] if message.body else "")},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        "OutId": hashlib.sha256(message.key.encode()).hexdigest()[:32],
    }


def send(message, config: dict) -> str:
    needed = ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATE_CODE")
    missing = [name for name in needed if not config.get(name)]
    if missing:
        raise Refused(f"{', '.join(missing)} not set")
    endpoint = config.get("SMS_ENDPOINT") or ENDPOINT
    url = signed_url(endpoint, config["SMS_ACCESS_KEY_SECRET"], params_for(message, config))
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 - the provider's https URL
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:  # the provider answers its refusals with a 4xx and a JSON body
        if error.code >= 500 or error.code == 429:
            raise Retry(f"Alibaba SMS: HTTP {error.code}") from None
        try:
            answer = json.loads(error.read() or b"{}")
        except ValueError:
            answer = {}
        if not answer.get("Code"):
            raise Refused(f"Alibaba SMS: HTTP {error.code}") from None
    except (OSError, ValueError, http.client.HTTPException) as error:  # unreachable, timed out, garbled
        raise Retry(f"Alibaba SMS: {type(error).__name__}") from None
    code = str(answer.get("Code", ""))
    if code == "OK":
        return f"sms:{answer.get('BizId', '')}"
    text = f"Alibaba SMS: {code} {str(answer.get('Message', ''))[:100]}"
    raise (Retry if code in RETRY_CODES or code.startswith("isp.") else Refused)(text)
