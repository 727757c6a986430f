"""Attachments to a record: PDFs and photos, checked before anything is stored.

Photos are decoded (the photo pipeline refuses what is not a usable photo); a PDF must
start like one and stay under the size limit. All of a form's files are checked before
any is stored, so a refused upload leaves nothing behind."""

from __future__ import annotations

from fieldapp.i18n import gettext as _
from fieldapp.models import MediaFile, User
from fieldapp.services import photos
from fieldapp.services.media import store_blob

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_FILES = 10


def _pdf_problem(data: bytes, name: str) -> str | None:
    if not data.startswith(b"%PDF-"):
        return None if data else _("文件「%(name)s」是空的。", name=name[:60])
    if len(data) > MAX_PDF_BYTES:
        return _("文件「%(name)s」超过 10 MB。", name=name[:60])
    return ""


def checked_pdfs(uploads: list[tuple[bytes, str]], errors: dict, key: str = "documents") -> list[tuple[bytes, str]]:
    """PDF documents only, checked and not yet stored (``store_pdfs``), so that a form's other
    files can be checked too before any is stored."""
    for data, name in uploads:
        problem = _pdf_problem(data, name)
        if problem is None:
            problem = _("文件「%(name)s」不是 PDF。整改材料请上传 PDF 或照片。", name=name[:60])
        if problem:
            errors[key] = problem
            return []
    return list(uploads)


def store_pdfs(user: User, checked: list[tuple[bytes, str]]) -> list[MediaFile]:
    return [store_blob(data, "application/pdf", user, name[:200]) for data, name in checked]


def pdfs(user: User, uploads: list[tuple[bytes, str]], errors: dict, key: str = "documents") -> list[MediaFile]:
    """PDF documents only: checked, then stored if all are good."""
    checked = checked_pdfs(uploads, errors, key)
    return [] if errors else store_pdfs(user, checked)


def documents(user: User, uploads: list[tuple[bytes, str]], errors: dict, key: str = "files") -> list[MediaFile]:
    """PDFs or photos (kept as they came), at most MAX_FILES."""
    if len(uploads) > MAX_FILES:
        errors[key] = _("附件最多 %(n)d 个。", n=MAX_FILES)
        return []
    checked = []
    for data, name in uploads:
        problem = _pdf_problem(data, name)
        if problem == "":
            checked.append((data, name, "application/pdf"))
            continue
        try:
            checked.append((data, name, photos.check(data)))
        except photos.PhotoError as err:
            errors[key] = _("附件「%(name)s」：%(reason)s 附件只接受 PDF 或照片。", name=name[:60], reason=err.message)
            return []
    if errors:
        return []
    return [store_blob(data, content_type, user, name[:200]) for data, name, content_type in checked]
