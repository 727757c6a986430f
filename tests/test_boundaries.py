"""The layers keep to their side, read from the code itself (its syntax tree):

- views (fieldapp/web, fieldapp/api, and fieldapp/http which both share) do HTTP only: they
  import neither SQLAlchemy nor the models, and never commit or roll back (each service owns its
  transaction);
- the authorization policy imports no service (services ask it, never the other way round);
- services never read Flask's request, session or g, nor the signed-in user from flask_login
  (views pass in what they need), and neither do the commands' schemas (fieldapp/schemas);
- a form's fields are read by its command's schema (marshmallow), never by WTForms: Flask-WTF is
  there for its CSRF protection only.

PENDING lists what may still break a rule while it is being moved (each entry is one module and
one rule; empty now). The test fails on anything not listed, and on a listed entry that no longer
breaks its rule, so the list only shrinks."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fieldapp"

PENDING: set[tuple[str, str]] = set()


def _imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in the module, relative ones resolved within fieldapp."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
    return found


def _view_rules(imports, tree: ast.AST) -> set[str]:
    rules = set()
    for module, names in imports:
        if module == "sqlalchemy" or module.startswith("sqlalchemy."):
            rules.add("imports the ORM")
        if module.startswith("fieldapp.models") or (module == "fieldapp" and "models" in names):
            rules.add("imports the models")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")
        ):
            rules.add("commits")
    return rules


def _reads_the_request(imports) -> bool:
    return any(
        (module == "flask" and {"request", "session", "g", "has_request_context"} & set(names))
        or (module == "flask_login" and "current_user" in names)
        for module, names in imports
    )


def _breaks(relative: str, tree: ast.AST) -> set[str]:
    rules = set()
    imports = _imports(tree)
    layer = relative.split("/")[0]
    if layer in ("web", "api", "http"):
        rules |= _view_rules(imports, tree)
    if layer == "policy" and any(
        module.startswith("fieldapp.services") or (module == "fieldapp" and "services" in names)
        for module, names in imports
    ):
        rules.add("imports a service")
    if layer in ("services", "schemas") and _reads_the_request(imports):
        rules.add("reads the request")
    if any(
        module.split(".")[0] == "wtforms" or (module.startswith("flask_wtf") and module != "flask_wtf.csrf")
        for module, _names in imports
    ):
        rules.add("reads a form with WTForms")
    return rules


def _found() -> set[tuple[str, str]]:
    out = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        out |= {(relative, rule) for rule in _breaks(relative, ast.parse(path.read_text(encoding="utf-8")))}
    return out


def test_each_layer_keeps_to_its_side():
    found = _found()
    assert found - PENDING == set(), "a new crossing of a boundary (see this test's docstring)"
    assert PENDING - found == set(), "fixed: take these entries out of PENDING"


def test_the_rules_catch_what_they_name():
    """Each rule on a made-up module, so that an empty result means the code is clean, not that the
    check looks at nothing."""
    view = ast.parse("import sqlalchemy as sa\nfrom fieldapp.models import Hazard\ndb.session.commit()\n")
    assert _breaks("web/x.py", view) == {"imports the ORM", "imports the models", "commits"}
    assert _breaks("api/x.py", ast.parse("from sqlalchemy import select\n")) == {"imports the ORM"}
    assert _breaks("policy/x.py", ast.parse("from fieldapp.services import hazards\n")) == {"imports a service"}
    assert _breaks("policy/__init__.py", ast.parse("from fieldapp import services\n")) == {"imports a service"}
    assert _breaks("services/x.py", ast.parse("from flask import request\n")) == {"reads the request"}
    assert _breaks("services/x.py", ast.parse("from flask_login import current_user\n")) == {"reads the request"}
    assert _breaks("services/x.py", ast.parse("from flask import current_app\n")) == set()
    assert _breaks("schemas/commands/x.py", ast.parse("from flask import request\n")) == {"reads the request"}
    assert _breaks("web/x.py", ast.parse("from flask_wtf import FlaskForm\n")) == {"reads a form with WTForms"}
    assert _breaks("web/x.py", ast.parse("from wtforms import StringField\n")) == {"reads a form with WTForms"}
    assert _breaks("__init__.py", ast.parse("from flask_wtf.csrf import CSRFProtect\n")) == set()


def test_tests_share_builders_not_test_files():
    """What several tests need lives in tests/factories.py, tests/helpers.py, tests/routes.py or
    tests/browser/ helpers; a test file importing another runs the other's module (and its
    fixtures) twice, and hides where a builder lives."""
    crossing = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for module, _names in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module.split(".")[-1].startswith("test_"):
                crossing.append(f"{path.relative_to(ROOT)} imports {module}")
    assert crossing == []
