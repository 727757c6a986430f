"""The tamper-evident trail: every change chained; edits, deletions, reordering and a
rewritten history are caught; concurrent appends keep one chain; reads of case files logged."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from fieldapp.models import AuditEvent, AuditHead, Inspection, ReadLog
from fieldapp.services import audit, hazards
from tests.factories import confirm_values, report
from tests.helpers import logged_in


def changes(world, n: int = 3) -> None:
    for _ in range(n):
        h = report(world)
        hazards.confirm(world.officer_a, h, confirm_values())


def test_every_change_joins_the_chain_and_it_verifies(world, db):
    before = db.session.get(AuditHead, 1).seq
    changes(world, 2)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.seq > before).order_by(AuditEvent.seq)).all()
    kinds = {(e.action, e.object_type) for e in events}
    assert ("create", "Inspection") in kinds and ("create", "Hazard") in kinds and ("update", "Hazard") in kinds
    assert ("create", "HazardEvent") in kinds
    assert all(e.after_sha256 for e in events if e.action != "delete")
    assert all(e.before_sha256 for e in events if e.action == "update")
    # Each event names its row, created ones included (their key is read before the flush ends).
    assert all(e.object_id for e in events), [(e.action, e.object_type) for e in events if not e.object_id]
    created = next(e for e in events if e.action == "create" and e.object_type == "Inspection")
    assert db.session.get(Inspection, int(created.object_id)) is not None
    verdict = audit.verify()
    assert verdict.ok and verdict.checked == db.session.get(AuditHead, 1).seq


def _tamper(db, sql: str, **params) -> audit.Verdict:
    db.session.execute(sa.text(sql), params)
    db.session.commit()
    db.session.expire_all()
    return audit.verify()


def test_edits_deletions_and_reordering_are_caught(world, db):
    changes(world, 3)
    head = db.session.get(AuditHead, 1).seq
    assert head >= 10
    original = db.session.scalar(sa.text("SELECT object_id FROM audit_events WHERE seq = 5"))
    verdict = _tamper(db, "UPDATE audit_events SET object_id = '999' WHERE seq = 5")
    assert not verdict.ok and verdict.seq == 5 and "被修改" in verdict.message
    assert _tamper(db, "UPDATE audit_events SET object_id = :v WHERE seq = 5", v=original).ok
    table = AuditEvent.__table__
    row = db.session.execute(sa.select(table).where(table.c.seq == 7)).mappings().one()

    verdict = _tamper(db, "DELETE FROM audit_events WHERE seq = 7")
    assert not verdict.ok and verdict.seq == 7 and "缺失" in verdict.message
    db.session.execute(sa.insert(table).values(**{k: v for k, v in row.items() if k != "id"}))
    db.session.commit()
    assert audit.verify().ok  # put back as it was

    # Swapping two rows' positions (the hashes stay with their rows): out of order.
    def swap():
        db.session.execute(sa.text("UPDATE audit_events SET seq = -1 WHERE seq = 8"))
        db.session.execute(sa.text("UPDATE audit_events SET seq = 8 WHERE seq = 9"))
        return _tamper(db, "UPDATE audit_events SET seq = 9 WHERE seq = -1")

    verdict = swap()
    assert not verdict.ok and verdict.seq == 8 and "不相连" in verdict.message
    assert swap().ok

    verdict = _tamper(db, "DELETE FROM audit_events WHERE seq = :s", s=head)
    assert not verdict.ok and "链尾" in verdict.message


def test_a_stamped_head_exposes_a_rewritten_history(world, db):
    changes(world, 2)
    stamped = audit.head()
    changes(world, 1)
    assert audit.contains(stamped["seq"], stamped["hash"])
    # Someone with database access deletes an event and recomputes the whole chain after it.
    db.session.execute(sa.text("DELETE FROM audit_events WHERE seq = 3"))
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
    prev, seq = audit.GENESIS, 0
    table = AuditEvent.__table__
    for e in rows:
        seq += 1
        digest = audit.event_hash(
            seq,
            e.at.isoformat(),
            e.actor_id,
            e.actor_role,
            e.action,
            e.object_type,
            e.object_id,
            e.before_sha256,
            e.after_sha256,
            prev,
        )
        db.session.execute(sa.update(table).where(table.c.id == e.id).values(seq=seq, prev_hash=prev, hash=digest))
        prev = digest
    db.session.execute(sa.update(AuditHead.__table__).values(seq=seq, hash=prev))
    db.session.commit()
    db.session.expire_all()
    assert audit.verify().ok  # consistent in itself...
    assert not audit.contains(stamped["seq"], stamped["hash"])  # ...but the stamped head is gone


def test_concurrent_appends_keep_one_chain(app, world, db):
    """Four threads (four sessions, four connections) writing at once: one unbroken chain."""
    from fieldapp.models import Enterprise

    changes(world, 1)  # the head exists
    ids = [world.ent_a1.id, world.ent_a2.id, world.ent_b1.id, world.ent_a1_other.id]
    errors: list[str] = []
    start = threading.Barrier(len(ids))

    def work(enterprise_id: int) -> None:
        with app.app_context():
            try:
                start.wait()
                for i in range(5):
                    e = db.session.get(Enterprise, enterprise_id)
                    e.notes = f"第{i}次"
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    db.session.expire_all()
    verdict = audit.verify()
    assert verdict.ok, verdict.message
    seqs = db.session.scalars(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "Enterprise", AuditEvent.action == "update")
        )
        == 20
    )


def test_cli_verify_exit_codes(app, world, db):
    changes(world, 1)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["fieldapp", "audit", "verify"])
    assert ok.exit_code == 0 and "完整" in ok.output
    head = runner.invoke(args=["fieldapp", "audit", "head"])
    assert '"seq"' in head.output
    db.session.execute(sa.text("UPDATE audit_events SET actor_role = 'admin' WHERE seq = 2"))
    db.session.commit()
    broken = runner.invoke(args=["fieldapp", "audit", "verify"])
    assert broken.exit_code == 1 and "第 2 条" in broken.output


def test_opening_a_case_file_is_logged_and_admins_see_who(make_client, world, db):
    h = report(world)
    logged_in(make_client(), "officer_a").get(f"/hazards/{h.id}")
    logged_in(make_client(), "insp_a1").get(f"/inspections/{h.inspection_id}")
    logs = db.session.scalars(sa.select(ReadLog).order_by(ReadLog.id)).all()
    assert [(r.user_id, r.object_type) for r in logs] == [
        (world.officer_a.id, "hazard"),
        (world.inspector_a1.id, "inspection"),
    ]
    admin = logged_in(make_client(), "admin_a")
    page = admin.get(f"/hazards/{h.id}").get_data(as_text=True)
    assert 'id="readers"' in page and world.officer_a.display_name in page
    officer_page = logged_in(make_client(), "officer_a").get(f"/hazards/{h.id}").get_data(as_text=True)
    assert 'id="readers"' not in officer_page


def test_bulk_imports_and_moves_are_chained_too(client, world, db):
    """Rows written by Core statements (the XLSX import) join the chain like the rest."""
    from fieldapp.services import enterprises

    h = report(world)
    before = db.session.get(AuditHead, 1).seq
    enterprises.record_change(world.ent_a1, world.admin_a, "updated", {"grid_id": (world.grid_a1.id, world.grid_a2.id)})
    db.session.commit()
    moved = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.seq > before, AuditEvent.object_type == "Hazard")
    ).all()
    assert [(e.action, e.object_id) for e in moved] == [("update", str(h.id))]
    assert audit.verify().ok
    from fieldapp.services import tamper

    assert tamper.check_rows().findings == []  # the moved hazards are chained whole, as they now read


def test_an_xlsx_import_is_chained_row_by_row(client, world, db):
    from fieldapp.models import Enterprise
    from tests.factories import good_rows, import_xlsx, upload_import
    from tests.helpers import post

    logged_in(client, "admin_d")
    before = db.session.get(AuditHead, 1)
    before = before.seq if before else 0
    token = upload_import(client, import_xlsx(good_rows(world)), "企业.xlsx").headers["Location"].rsplit("/", 1)[1]
    post(
        client,
        f"/enterprises/import/{token}",
        {"mode": "all", "action": "commit"},
        token_from=f"/enterprises/import/{token}",
    )
    created = db.session.scalars(sa.select(Enterprise.id).where(Enterprise.name.like("苏州导入%"))).all()
    assert len(created) == 3
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.seq > before, AuditEvent.object_type == "Enterprise")
    ).all()
    assert sorted(int(e.object_id) for e in events if e.action == "create") == sorted(created)
    assert audit.verify().ok
    from fieldapp.services import tamper

    assert tamper.check_rows().findings == []  # the imported rows and their history entries, whole


def test_admins_print_the_head_and_verify_the_chain(make_client, world, db):
    from tests.helpers import post

    changes(world, 1)
    admin = logged_in(make_client(), "admin_d")
    page = admin.get("/admin/audit").get_data(as_text=True)
    head = db.session.get(AuditHead, 1)
    assert f'id="head-seq">{head.seq}<' in page and head.hash in page
    checked = post(admin, "/admin/audit", token_from="/admin/audit").get_data(as_text=True)
    assert "完整" in checked
    assert logged_in(make_client(), "officer_a").get("/admin/audit").status_code == 403


def test_the_application_cannot_change_the_trail(world, db):
    """Through the application's sessions the trail is read-only: only services.audit appends."""
    from fieldapp.services.integrity import AppendOnly

    changes(world, 1)
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    event.action = "delete"
    with pytest.raises(AppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(sa.select(AuditEvent).limit(1)))
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.add(ReadLog(user_id=world.admin.id, object_type="hazard", object_id=1))
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    assert audit.verify().ok
