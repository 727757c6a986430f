"""Stored files as HTTP responses: photos (their copies or the evidence original), signatures,
attachments — each route checks scope through its service; ``send_media`` is how every
blueprint serves a file."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, send_file
from flask_login import current_user

from fieldapp import policy
from fieldapp.errors import NotFound
from fieldapp.http.guards import permission_required
from fieldapp.services import enterprises, hazards, inspections, media, photos

bp = Blueprint("media", __name__)


def send_media(item):
    """Serve a stored file (a ``MediaFile``): its recorded type, inline, never sniffed. Case files
    are not kept by the browser as fresh (``no-cache``): each view asks again (a cheap 304 by the
    content's hash), so after logout a shared phone's cache shows nothing without a session."""
    try:
        data = media.verified_bytes(item)
    except NotFound:
        abort(404)
    response = send_file(BytesIO(data), mimetype=item.content_type, etag=item.sha256, conditional=True)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def send_photo(photo, variant: str):
    """A photo's display copy, thumbnail or original (the copies are made on first view). The
    original — the evidence, as uploaded, with whatever it carries — is a download, never shown
    inline; people look at the re-encoded copies."""
    response = send_media(photos.rendition(photo, variant))
    if variant == "original":
        extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
            photo.original.content_type, "bin"
        )
        response.headers["Content-Disposition"] = f'attachment; filename="photo-{photo.id}-original.{extension}"'
    return response


@bp.route("/photos/<int:photo_id>/<any(display, thumb, original):variant>")
@permission_required("inspection.view")
def photo(photo_id: int, variant: str):
    """A photo of a record or hazard the user may read (display copy, thumbnail or evidence original)."""
    found = inspections.photo_in_scope(current_user, photo_id) or hazards.photo_in_scope(current_user, photo_id)
    if found is None:
        abort(404)
    return send_photo(found, variant)


@bp.route("/inspections/<int:inspection_id>/signature.png")
@permission_required("inspection.view")
def signature(inspection_id: int):
    found = inspections.signature_in_scope(current_user, inspection_id)
    if found is None:
        abort(404)
    return send_media(found)


@bp.route("/enterprises/<int:enterprise_id>/changes/<int:change_id>/photo")
@permission_required("enterprise.view")
def change_photo(enterprise_id: int, change_id: int):
    """A photo attached to a change of this enterprise (scope-checked like the file itself)."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    found = enterprises.change_photo(enterprise, change_id)
    if found is None:
        abort(404)
    return send_media(found)
