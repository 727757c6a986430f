"""The hazard's closed loop: every legal and illegal transition for every role, events,
optimistic versions, notifications and reminders — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock, policy
from fieldapp.errors import Conflict, Forbidden, InputError, NotFound
from fieldapp.models import Hazard, HazardEvent, Notification
from fieldapp.models import InterestDeclaration as DeclaredConflict
from fieldapp.services import hazards, notifications
from tests.factories import PHOTO, confirm_values, report


def events(hazard: Hazard) -> list[tuple[str, str, str]]:
    return [(e.action, e.from_status, e.to_status) for e in hazard.events]


@pytest.mark.dated
def test_general_hazard_full_loop(world, db):
    h = report(world)
    assert h.status == "reported"
    hazards.confirm(world.officer_a, h, confirm_values())
    assert h.status == "confirmed" and h.level == "general" and h.notice_number.startswith("ZG-")
    hazards.acknowledge(world.company_a1, h)
    hazards.progress(world.company_a1, h, "已清理一半", PHOTO)
    hazards.submit(world.company_a1, h, "通道已清理", PHOTO, [(b"%PDF-1.4 test", "整改报告.pdf")])
    assert h.status == "awaiting_recheck"
    hazards.recheck(world.inspector_a1, h, True, {"note": "已整改", "latitude": "31.26", "longitude": "120.6"}, PHOTO)
    assert h.status == "closed" and h.closed_at is not None
    assert events(h) == [
        ("confirm", "reported", "confirmed"),
        ("acknowledge", "confirmed", "rectifying"),
        ("progress", "rectifying", "rectifying"),
        ("submit", "rectifying", "awaiting_recheck"),
        ("recheck_pass", "awaiting_recheck", "closed"),
    ]
    submit = h.events[3]
    assert submit.actor_role == "company_manager" and len(submit.photos) == 1 and len(submit.files) == 1
    assert h.events[-1].data["latitude"] == 31.26


def test_major_hazard_needs_stop_work_and_the_officers_closure(world, db):
    h = report(world, "major")
    with pytest.raises(InputError) as refused:
        hazards.confirm(world.officer_a, h, confirm_values("major", order_number="", stop_scope=""))
    assert set(refused.value.errors) == {"order_number", "stop_scope"}
    assert h.status == "reported" and h.events == []
    hazards.confirm(world.officer_a, h, confirm_values("major"))
    assert h.stop_work and h.order_number == "苏吴应急停〔2026〕12号"
    hazards.acknowledge(world.company_a1, h)
    hazards.submit(world.company_a1, h, "已整改", PHOTO)
    hazards.recheck(world.inspector_a1, h, True, {}, PHOTO)
    assert h.status == "awaiting_closure"
    with pytest.raises(Forbidden, match="须由执法人员销号"):
        hazards.close(world.company_a1, h)
    with pytest.raises(Forbidden):
        hazards.close(world.inspector_a1, h)
    hazards.close(world.officer_a, h, "同意销号")
    assert h.status == "closed"


@pytest.mark.dated
def test_failed_recheck_returns_to_rectifying_with_a_new_deadline(world, db):
    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values())
    hazards.acknowledge(world.company_a1, h)
    hazards.submit(world.company_a1, h, "已整改", PHOTO)
    with pytest.raises(InputError) as refused:
        hazards.recheck(world.inspector_a1, h, False, {"note": ""}, PHOTO)
    assert set(refused.value.errors) == {"note", "deadline"}
    new = clock.today() + timedelta(days=3)
    hazards.recheck(world.inspector_a1, h, False, {"note": "通道仍有杂物", "deadline": new.isoformat()}, PHOTO)
    assert h.status == "rectifying" and h.deadline == new


def test_illegal_transitions_are_refused_and_leave_no_trace(world, db, factory):
    h = report(world)
    officer_b = factory.user("enforcement_officer", units=[world.town_b])
    with pytest.raises(Forbidden, match="网格员只上报、不作认定"):
        hazards.confirm(world.inspector_a1, h, confirm_values())
    with pytest.raises(NotFound):  # a company does not see an unconfirmed report at all
        hazards.confirm(world.company_a1, h, confirm_values())
    with pytest.raises(NotFound):
        hazards.acknowledge(world.company_a1, h)
    with pytest.raises(NotFound):  # an inspector of another grid
        hazards.confirm(world.inspector_b1, h, confirm_values())
    with pytest.raises(NotFound):  # an officer of another jurisdiction
        hazards.reject(officer_b, h, "理由")
    with pytest.raises(InputError) as refused:
        hazards.reject(world.officer_a, h, "  ")
    assert "理由" in refused.value.errors["reason"]
    with pytest.raises(InputError) as refused:
        hazards.confirm(world.officer_a, h, confirm_values(deadline=(clock.today() - timedelta(days=1)).isoformat()))
    assert "早于今天" in refused.value.errors["deadline"]
    db.session.refresh(h)
    assert h.status == "reported" and h.version == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HazardEvent)) == 0
    hazards.reject(world.officer_a, h, "经核实为临时堆放，已当场清理")
    assert h.status == "rejected"
    other = report(world)
    hazards.confirm(world.officer_a, other, confirm_values())
    with pytest.raises(Conflict, match="已确认待整改"):  # skipping a state
        hazards.submit(world.company_a1, other, "已整改", PHOTO)
    with pytest.raises(Conflict):
        hazards.confirm(world.officer_a, h, confirm_values())


def test_company_sees_only_confirmed_hazards_of_its_own_company(world, db):
    h = report(world)
    visible = lambda user: db.session.scalars(hazards.scope(user)).all()  # noqa: E731
    assert visible(world.company_a1) == [] and visible(world.company_b1) == []
    hazards.confirm(world.officer_a, h, confirm_values())
    assert visible(world.company_a1) == [h] and visible(world.company_b1) == []
    assert visible(world.inspector_b1) == [] and visible(world.officer_a) == [h]


def test_a_stale_version_loses_with_an_explanation(world, db):
    h = report(world)
    seen = h.version
    hazards.confirm(world.officer_district, h, confirm_values())
    with pytest.raises(Conflict, match="刚刚已由"):
        hazards.reject(world.officer_a, h, "理由", seen_version=seen)
    assert h.status == "confirmed"


def test_recusal_blocks_deciding_and_rechecking(world, db):
    h = report(world)
    db.session.add(
        DeclaredConflict(user_id=world.officer_a.id, enterprise_id=world.ent_a1.id, kind="relative", status="approved")
    )
    db.session.commit()
    with pytest.raises(Forbidden, match="回避"):
        hazards.confirm(world.officer_a, h, confirm_values())
    assert hazards.allowed(world.officer_a, h) == []
    assert not policy.can(world.officer_a, "hazard.confirm", h)
    assert policy.can(world.officer_district, "hazard.confirm", h)
    assert "confirm" in hazards.allowed(world.officer_district, h)


@pytest.mark.dated
def test_every_step_notifies_the_people_concerned(world, db):
    h = report(world)

    def inbox(user):
        return [
            n.kind
            for n in db.session.scalars(
                sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
            )
        ]

    assert inbox(world.officer_a) == ["reported"] and inbox(world.officer_district) == ["reported"]
    hazards.confirm(world.officer_a, h, confirm_values())
    assert inbox(world.company_a1) == ["confirm"] and inbox(world.inspector_a1) == ["confirm"]
    hazards.acknowledge(world.company_a1, h)
    assert inbox(world.officer_a)[-1] == "acknowledge" and inbox(world.officer_district) == ["reported"]
    assert notifications.unread_count(world.company_a1) == 1


@pytest.mark.dated
def test_reminders_are_idempotent(world, db):
    soon, late = report(world), report(world)
    hazards.confirm(world.officer_a, soon, confirm_values(deadline=(clock.today() + timedelta(days=2)).isoformat()))
    hazards.confirm(world.officer_a, late, confirm_values())
    # A week and a day later the second is overdue.
    later = clock.today() + timedelta(days=8)
    first = notifications.remind(clock.today())
    assert first == 1  # the deadline in 2 days, to the company manager
    assert notifications.remind(clock.today()) == 0
    assert notifications.remind(later) == 4  # both overdue: company manager and officer each
    assert notifications.remind(later) == 0
    assert hazards.is_overdue(late, later) and not hazards.is_overdue(late)


def test_two_connections_acting_at_once_one_wins(app, world, db):
    """Two officers open the same report (two sessions, two connections) and both decide:
    the database takes the first; the second is told what happened, and nothing of it is kept."""
    from fieldapp.models import User

    h = report(world)
    second = app.app_context()  # a second session, on its own connection
    second.push()
    other = db.session.get(Hazard, h.id)
    officer = db.session.get(User, world.officer_district.id)
    assert other.status == "reported" and other.enterprise and officer.roles
    second.pop()  # the officer keeps the page open; the first session decides meanwhile
    hazards.confirm(world.officer_a, h, confirm_values())
    with app.app_context():
        db.session.add_all([other, officer])
        with pytest.raises(Conflict, match="刚刚已由"):
            hazards.reject(officer, other, "不是隐患")
    db.session.expire_all()
    assert db.session.get(Hazard, h.id).status == "confirmed"
    assert [e.action for e in db.session.get(Hazard, h.id).events] == ["confirm"]


def test_hazards_follow_their_enterprise_to_another_grid(world, db):
    from fieldapp.services import enterprises

    h = report(world)
    visible = lambda user: db.session.scalars(hazards.scope(user)).all()  # noqa: E731
    assert visible(world.inspector_a1) == [h] and visible(world.tech_a2) == []
    enterprises.record_change(world.ent_a1, world.admin_a, "updated", {"grid_id": (world.grid_a1.id, world.grid_a2.id)})
    world.ent_a1.grid_id = world.grid_a2.id
    db.session.commit()
    db.session.expire_all()
    assert visible(world.inspector_a1) == [] and [x.id for x in visible(world.tech_a2)] == [h.id]


#: Who may do what in each state — the declared table the service must match exactly.
# The inspector of the grid may add evidence from a later visit in every state (issue 34).
MATRIX = {
    "reported": {"officer_a": {"confirm", "reject"}, "inspector_a1": {"evidence"}},
    "confirmed": {"officer_a": {"regrade"}, "company_a1": {"acknowledge"}, "inspector_a1": {"evidence"}},
    "rectifying": {"officer_a": {"regrade"}, "company_a1": {"progress", "submit"}, "inspector_a1": {"evidence"}},
    "awaiting_recheck": {"officer_a": {"regrade"}, "inspector_a1": {"recheck_pass", "recheck_fail", "evidence"}},
    "awaiting_closure": {"officer_a": {"close"}, "inspector_a1": {"evidence"}},
    "closed": {"inspector_a1": {"evidence"}},
    "rejected": {"inspector_a1": {"evidence"}},
}
PEOPLE = ("inspector_a1", "inspector_b1", "tech_a2", "officer_a", "company_a1", "company_b1", "admin_a")


def hazard_in(world, state: str) -> Hazard:
    h = report(world, "major" if state == "awaiting_closure" else "general")
    if state == "rejected":
        hazards.reject(world.officer_a, h, "误报")
    if state in ("confirmed", "rectifying", "awaiting_recheck", "awaiting_closure", "closed"):
        hazards.confirm(world.officer_a, h, confirm_values(h.proposed_level))
    if state in ("rectifying", "awaiting_recheck", "awaiting_closure", "closed"):
        hazards.acknowledge(world.company_a1, h)
    if state in ("awaiting_recheck", "awaiting_closure", "closed"):
        hazards.submit(world.company_a1, h, "已整改", PHOTO)
    if state in ("awaiting_closure", "closed"):
        hazards.recheck(world.inspector_a1, h, True, {}, PHOTO)
    assert h.status == state
    return h


@pytest.mark.parametrize("state", list(MATRIX))
def test_every_transition_for_every_role_in_every_state(world, db, state):
    h = hazard_in(world, state)
    events = len(h.events)
    for person in PEOPLE:
        user = getattr(world, person)
        in_scope = db.session.scalar(hazards.scope(user).where(Hazard.id == h.id)) is not None
        expected = MATRIX[state].get(person, set())
        assert set(hazards.allowed(user, h)) == expected if in_scope else True, (state, person)
        # The policy's one entry says the same, scope included.
        assert {a for a in hazards.TRANSITIONS if policy.can(user, f"hazard.{a}", h)} == (
            expected if in_scope else set()
        ), (state, person)
        for action in hazards.TRANSITIONS:
            if action in expected:
                continue
            with pytest.raises((Forbidden, Conflict, NotFound)):
                hazards.check(user, h, action)
    db.session.refresh(h)
    assert h.status == state and len(h.events) == events  # refusals leave no trace
