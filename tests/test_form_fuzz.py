"""Every form the demo accounts reach, sent with what nobody should type: never a 5xx.

From each role's home page, one page of each kind its links reach; every kind of form on it (GET
filters and POST forms, each button's own action; one of a list's row forms) is submitted with
each value of NASTY in all its visible fields, and once more with the hidden ones too. The CSRF token stays valid: what
is tested is the app's handling of the values. Runs on SQLite and PostgreSQL — PostgreSQL
refuses what SQLite stores (NUL in text, ids past INTEGER), which is where the 500s were."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from fieldapp.services import demo, demo_activity
from tests.helpers import logged_in

NASTY = ["", "a\x00b", "9" * 20, "nan", "-1", "x" * 5000, "2026-02-30"]
SKIPPED = re.compile(r"/logout|/login|\.xlsx|/export|/media/|/photos?/|/static/")


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": [],
                "actions": [],
            }
            self.forms.append(self._open)
        elif self._open is not None and tag in ("input", "textarea", "select", "button"):
            if tag == "button" and attrs.get("formaction"):
                self._open["actions"].append(attrs["formaction"])
            if attrs.get("name") and attrs.get("type") not in ("submit", "button", "file"):
                self._open["fields"].append((attrs["name"], attrs.get("type") == "hidden", attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def _kind(path: str) -> tuple:
    parts = urlsplit(path)
    return re.sub(r"\d+", "N", parts.path), tuple(sorted(parse_qs(parts.query)))


def _submissions(form: dict):
    for value in NASTY:
        for hidden_too in (False, True) if value in ("a\x00b", "9" * 20) else (False,):
            yield {
                name: value if (not hidden or hidden_too) and name != "csrf_token" else kept
                for name, hidden, kept in form["fields"]
            }


def test_no_form_answers_5xx_to_nonsense(app, db, make_client):
    demo.load(hash_method="pbkdf2:sha256:1")
    demo_activity.load()  # records and hazards in every state: their pages and forms too
    roles_done, sent, failures = set(), 0, []
    for account in demo.accounts():
        if account["role"] in roles_done:
            continue
        roles_done.add(account["role"])
        client = logged_in(make_client(), account["username"], account["password"])
        queue, kinds, forms_tried = deque(["/"]), set(), set()
        while queue:
            path = queue.popleft()
            if SKIPPED.search(path) or _kind(path) in kinds:
                continue
            kinds.add(_kind(path))
            response = client.get(path)
            assert response.status_code < 500, path
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            page = response.get_data(as_text=True)
            for href in re.findall(r'href="(/[^"#]*)"', page):
                queue.append(href.replace("&amp;", "&"))
            parser = _Forms()
            parser.feed(page)
            for form in parser.forms:
                for action in [form["action"], *form["actions"]]:
                    target = urljoin(path, action.replace("&amp;", "&"))
                    # A form of a kind already sent nonsense (开始检查 on each row of a list) once.
                    shape = (form["method"], _kind(target), tuple(name for name, _, _ in form["fields"]))
                    if SKIPPED.search(target) or shape in forms_tried:
                        continue
                    forms_tried.add(shape)
                    for data in _submissions(form):
                        if form["method"] == "post":
                            answer = client.post(target, data=data)
                        else:
                            answer = client.get(target.split("?")[0], query_string=data)
                        sent += 1
                        if answer.status_code >= 500:
                            failures.append((account["role"], form["method"], target, repr(data)[:120]))
    assert sent > 800, sent  # the crawl reached the forms
    assert failures == []
