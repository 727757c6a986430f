"""A company reads the record it signed whole — every hazard on it says where it stands now, and
links only where the reader may go (issue 29, item 8)."""

import re

from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import hazards, inspections
from tests.factories import complete, confirm_values, signature_url
from tests.helpers import logged_in
from tests.images import jpeg


def _signed_with_hazards(world):
    record = inspections.start(world.inspector_a1, world.ent_a1)
    complete(record, world.inspector_a1)
    link = inspections.add_photo(world.inspector_a1, record, jpeg(640, 480, color=(90, 20, 30)))
    found = [
        inspections.report_hazard(world.inspector_a1, record, HazardReport(text, "仓库", "general", "", [link.id]))
        for text in ("消防通道堵塞", "灭火器过期", "配电箱无门")
    ]
    inspections.sign(world.inspector_a1, record, "朱春生", "", signature_url(), inspections.summary_sha256(record))
    return record, found


def _hazard_block(page: str, hazard_id: int) -> str:
    return re.search(rf'<div class="item record-hazard" data-hazard="{hazard_id}">(.*?)</div>', page, re.S).group(1)


def test_each_hazard_on_a_signed_record_says_where_it_stands(make_client, world, db):
    record, (waiting, rejected, confirmed) = _signed_with_hazards(world)
    hazards.reject(world.officer_a, rejected, "现场核实灭火器在有效期内")
    hazards.confirm(world.officer_a, confirmed, confirm_values())
    db.session.refresh(confirmed)
    company = logged_in(make_client(), "company_a1")
    page = company.get(f"/inspections/{record.id}").get_data(as_text=True)
    first, second, third = (_hazard_block(page, h.id) for h in (waiting, rejected, confirmed))
    assert "待执法人员确认" in first and f"/hazards/{waiting.id}" not in page
    assert "不予确认" in second and "现场核实灭火器在有效期内" in second and f"/hazards/{rejected.id}" not in page
    assert "已确认待整改" in third and confirmed.notice_number in third and f"/hazards/{confirmed.id}" in third
    assert company.get(f"/hazards/{waiting.id}").status_code == 404  # and the page it is not linked to stays shut
    # Staff of the grid open all three from the record.
    inspector = logged_in(make_client(), "insp_a1")
    page = inspector.get(f"/inspections/{record.id}").get_data(as_text=True)
    assert all(f"/hazards/{h.id}" in page for h in (waiting, rejected, confirmed))
    # The printed record says the same, without links.
    printed = company.get(f"/inspections/{record.id}/print").get_data(as_text=True)
    assert "待执法人员确认" in printed and "不予确认" in printed and "/hazards/" not in printed
