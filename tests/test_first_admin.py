"""A new install's first account (issue 33): ``fieldapp create-admin`` makes the top unit and
its admin, who can sign in and manage users; it refuses a second top, a weak password and a bad
user name, each with a message in Chinese."""

from fieldapp import roles
from fieldapp.models import User
from tests.helpers import logged_in


def _create(app, *extra: str, password: str = "Strong2026pw"):  # noqa: S107 - a test account
    args = ["fieldapp", "create-admin", "--unit-code", "320506", "--unit-name", "吴中区应急管理局"]
    return app.test_cli_runner().invoke(
        args=[*args, "--username", "wzadmin", "--name", "钱丽华", *extra, "--password", password]
    )


def test_the_first_admin_is_made_once_and_can_sign_in(app, db, make_client):
    weak = _create(app, password="short")
    assert weak.exit_code == 1 and "密码至少需要 8 位" in weak.output, weak.output
    made = _create(app)
    assert made.exit_code == 0 and "已创建顶层单位" in made.output, made.output
    admin = db.session.query(User).filter_by(username="wzadmin").one()
    assert admin.has_role(roles.ADMIN) and admin.org_unit.kind == "district" and admin.display_name == "钱丽华"
    client = logged_in(make_client(), "wzadmin", "Strong2026pw")
    assert client.get("/admin/users").status_code == 200
    again = _create(app)
    assert again.exit_code == 1 and "已有顶层单位" in again.output
    bad_name = app.test_cli_runner().invoke(
        args=[
            "fieldapp",
            "create-admin",
            "--unit-code",
            "x",
            "--unit-name",
            "y",
            "--username",
            "9",
            "--password",
            "Strong2026pw",
        ]
    )
    assert bad_name.exit_code == 1 and "用户名以字母开头" in bad_name.output
