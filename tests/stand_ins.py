"""Local stand-ins for outside providers (issue 35), speaking their published protocols on loopback.

``AlibabaSms``: Alibaba Cloud's SMS API (dysmsapi SendSms, RPC signature 1.0). It checks each
request the way the provider's documentation says a request is checked — written here from the
documentation (its Java sample's ``specialUrlEncode``), not with the app's signing code — and
answers with the provider's JSON: ``OK``, or its error codes. ``faults`` answers the next requests
instead; ``hold`` keeps a request waiting (a worker killed mid-send): a request whose sender has
gone by the time it is let go is dropped, as a server drops a request whose connection closed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import select
import socket
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SMS_KEY_ID, SMS_SECRET = "LTAI5tStandInKeyId", "StandInSecret0123456789abcdefgh"


def special_url_encode(value: str) -> str:
    """The documentation's Java sample: URLEncoder.encode(value, "UTF-8") with + → %20, * → %2A,
    %7E → ~."""
    return urllib.parse.quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def documented_signature(secret: str, params: dict[str, str]) -> str:
    sorted_query = "&".join(
        f"{special_url_encode(k)}={special_url_encode(params[k])}" for k in sorted(params) if k != "Signature"
    )
    string_to_sign = "GET&" + special_url_encode("/") + "&" + special_url_encode(sorted_query)
    return base64.b64encode(hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


class _Sms(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's hook
        server = self.server
        with server.lock:
            server.requests += 1
        if server.hold.is_set():
            server.holding.set()
            server.release.wait(30)
            if self._client_gone():  # the provider takes a request only while its sender waits
                with server.lock:
                    server.abandoned += 1
                return
        query = urllib.parse.urlsplit(self.path).query
        params = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        if server.faults:
            fault = server.faults.pop(0)
            if fault == "timeout":
                time.sleep(2)
            elif isinstance(fault, int):
                return self._answer(fault, {"Code": "InternalError"} if fault >= 500 else {})
            else:
                return self._answer(200, {"Code": fault, "Message": "fault"})
        if params.get("AccessKeyId") != SMS_KEY_ID:
            return self._answer(404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "access key not found"})
        if params.get("Signature") != documented_signature(SMS_SECRET, params):
            return self._answer(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"})
        stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs((datetime.now(UTC) - stamp).total_seconds()) > 15 * 60:
            return self._answer(400, {"Code": "InvalidTimeStamp.Expired", "Message": "expired"})
        with server.lock:
            if params["SignatureNonce"] in server.nonces:
                return self._answer(400, {"Code": "SignatureNonceUsed", "Message": "nonce used"})
            server.nonces.add(params["SignatureNonce"])
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return self._answer(400, {"Code": "InvalidAction", "Message": "bad action"})
        if not re.fullmatch(r"1[3-9]\d{9}", params.get("PhoneNumbers", "")):
            return self._answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "bad number"})
        template = json.loads(params["TemplateParam"])
        if set(template) != {"title", "detail"} or any(len(v) > 35 for v in template.values()):
            return self._answer(200, {"Code": "isv.TEMPLATE_PARAMS_ILLEGAL", "Message": "bad params"})
        with server.lock:
            server.received.append(params)
            biz = f"biz-{len(server.received)}"
        self._answer(200, {"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": "r"})

    def _client_gone(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _answer(self, status, data):
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def start_sms() -> ThreadingHTTPServer:
    """An Alibaba SMS stand-in on a free loopback port: ``.url``, ``.received`` (accepted requests'
    parameters), ``.faults``, ``.hold``/``.holding``/``.release``; ``.shutdown()`` when done."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sms)
    server.daemon_threads = True
    server.faults, server.received, server.nonces, server.requests, server.abandoned = [], [], set(), 0, 0
    server.lock = threading.Lock()
    server.hold, server.holding, server.release = threading.Event(), threading.Event(), threading.Event()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sms_config(server) -> dict:
    return {
        "SMS_ACCESS_KEY_ID": SMS_KEY_ID,
        "SMS_ACCESS_KEY_SECRET": SMS_SECRET,
        "SMS_SIGN_NAME": "某区应急管理局",
        "SMS_TEMPLATE_CODE": "SMS_123456789",
        "SMS_ENDPOINT": server.url,
    }
