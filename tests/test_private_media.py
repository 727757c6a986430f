"""Case files leave nothing fresh in a shared phone's cache, an evidence original is a download,
and the server does not name its software (issue 29, item 9)."""

from fieldapp.services import inspections
from tests.helpers import logged_in
from tests.images import jpeg


def test_photos_are_revalidated_and_originals_downloaded(make_client, world, db):
    record = inspections.start(world.inspector_a1, world.ent_a1)
    link = inspections.add_photo(world.inspector_a1, record, jpeg(640, 480))
    client = logged_in(make_client(), "insp_a1")
    for variant in ("thumb", "display", "original"):
        response = client.get(f"/photos/{link.photo_id}/{variant}")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-cache", variant
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        again = client.get(f"/photos/{link.photo_id}/{variant}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304  # revalidated cheaply, never served stale from the cache
    shown = client.get(f"/photos/{link.photo_id}/display")
    assert shown.headers["Content-Disposition"] == "inline"
    original = client.get(f"/photos/{link.photo_id}/original")
    assert original.headers["Content-Disposition"] == f'attachment; filename="photo-{link.photo_id}-original.jpg"'
