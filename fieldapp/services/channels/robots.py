"""Group robots: a WeCom (企业微信) group robot and a DingTalk (钉钉) custom robot, each posting a
short markdown message into a department's group. Both cap a robot at 20 messages a minute
(``PER_MINUTE``; services/outbound.py holds to it) and answer JSON with an ``errcode``.

Settings: WECOM_WEBHOOK (the robot's URL with its key), DINGTALK_WEBHOOK (with its access token)
and DINGTALK_SECRET (the robot's 加签 secret). They are secrets: an error names the provider and
its code, never the URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from fieldapp.services.channels import Refused, Retry

TIMEOUT_S = 10
PER_MINUTE = 20
#: The providers' codes for "too many, slow down" (DingTalk 130101, WeCom 45009): try again later.
RATE_LIMITED = {130101, 45009}


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """DingTalk's 加签: HMAC-SHA256 of "<timestamp>\\n<secret>" keyed by the secret, Base64, then
    URL-encoded (as its documentation's samples do)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def _text(message) -> str:
    lines = [f"**{message.title}**"]
    if message.body:
        lines.append(message.body)
    if message.link:
        lines.append(f"[打开处理]({message.link})")
    return "\n\n".join(lines)


def _post(provider: str, url: str, payload: dict) -> dict:
    if not url.startswith(("https://", "http://")):
        raise Refused(f"{provider}: the webhook is not an http(s) URL")
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - http(s) only
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        kind = Retry if error.code >= 500 or error.code == 429 else Refused
        raise kind(f"{provider}: HTTP {error.code}") from None
    except (OSError, ValueError, http.client.HTTPException) as error:  # unreachable, timed out, garbled
        raise Retry(f"{provider}: {type(error).__name__}") from None
    code = answer.get("errcode", -1)
    if code == 0:
        return answer
    text = f"{provider}: errcode {code} {str(answer.get('errmsg', ''))[:100]}"
    raise (Retry if code in RATE_LIMITED else Refused)(text)


def send_wecom(message, config: dict) -> str:
    if not config.get("WECOM_WEBHOOK"):
        raise Refused("WECOM_WEBHOOK is not set")
    _post("WeCom", config["WECOM_WEBHOOK"], {"msgtype": "markdown", "markdown": {"content": _text(message)}})
    return "wecom:ok"


def send_dingtalk(message, config: dict) -> str:
    if not config.get("DINGTALK_WEBHOOK"):
        raise Refused("DINGTALK_WEBHOOK is not set")
    url = config["DINGTALK_WEBHOOK"]
    secret = config.get("DINGTALK_SECRET")
    if secret:
        timestamp = int(time.time() * 1000)
        url += f"&timestamp={timestamp}&sign={dingtalk_sign(timestamp, secret)}"
    _post("DingTalk", url, {"msgtype": "markdown", "markdown": {"title": message.title, "text": _text(message)}})
    return "dingtalk:ok"
