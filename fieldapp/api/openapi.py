"""The OpenAPI document of /api/v1, built with apispec from the marshmallow schemas.

Every /api/v1 route must be described here; a test compares this with the url map.
"""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from fieldapp import schemas
from fieldapp.schemas import sync

ERRORS = {
    "401": {"description": "not logged in", "content": {"application/json": {"schema": "Error"}}},
    "403": {"description": "not allowed for this role", "content": {"application/json": {"schema": "Error"}}},
}


def _json(schema: str, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def build(version: str = "1") -> dict:
    spec = APISpec(
        title="fieldapp API",
        version=version,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "JSON API of the work-safety grid inspection app. Session cookie auth; "
            "state-changing calls need the CSRF token in the X-CSRFToken header."
        },
    )
    for name, schema in (
        ("Error", schemas.ErrorSchema),
        ("Me", schemas.MeSchema),
        ("MeUpdate", schemas.MeUpdateSchema),
        ("Enterprise", schemas.EnterpriseSchema),
        ("EnterprisePage", schemas.EnterprisePageSchema),
        ("Pack", schemas.PackSchema),
        ("MediaReceipt", schemas.MediaReceiptSchema),
        ("MediaBatchReceipt", sync.MediaBatchReceiptSchema),
        ("MediaKnown", sync.MediaKnownSchema),
        ("MediaKnownReceipt", sync.MediaKnownReceiptSchema),
        ("InspectionUpload", sync.InspectionUploadSchema),
        ("IngestReceipt", sync.IngestReceiptSchema),
        ("RecheckUpload", sync.RecheckUploadSchema),
        ("RecheckReceipt", sync.RecheckReceiptSchema),
    ):
        spec.components.schema(name, schema=schema)
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "fieldapp_session"})
    spec.path(
        path="/api/v1/me",
        operations={
            "get": {"summary": "The logged-in user, roles and grids", "responses": {"200": _json("Me"), **ERRORS}},
            "patch": {
                "summary": "Change one's own settings",
                "requestBody": {"required": True, "content": {"application/json": {"schema": "MeUpdate"}}},
                "responses": {
                    "200": _json("Me"),
                    "400": _json("Error", "not a JSON object or CSRF failure"),
                    "422": _json("Error", "invalid values"),
                    **ERRORS,
                },
            },
        },
    )
    spec.path(
        path="/api/v1/enterprises",
        operations={
            "get": {
                "summary": "Enterprises in the user's scope",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                ],
                "responses": {"200": _json("EnterprisePage"), **ERRORS},
            }
        },
    )
    spec.path(
        path="/api/v1/enterprises/{enterprise_id}",
        operations={
            "get": {
                "summary": "One enterprise (404 when missing or out of scope, alike)",
                "parameters": [
                    {"name": "enterprise_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {"200": _json("Enterprise"), "404": _json("Error", "not found or not in scope"), **ERRORS},
            }
        },
    )
    spec.path(
        path="/api/v1/pack",
        operations={
            "get": {
                "summary": "The inspector's offline data pack, or the delta since a cursor",
                "parameters": [
                    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _json("Pack"),
                    "304": {"description": "unchanged since the ETag"},
                    "422": _json("Error", "bad or future cursor"),
                    **ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/media/{client_uuid}",
        operations={
            "put": {
                "summary": "Upload a photo under the phone's UUID (media first, then the record)",
                "parameters": [
                    {
                        "name": "client_uuid",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    },
                    {
                        "name": "X-Content-SHA256",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    },
                    {"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                        "image/png": {"schema": {"type": "string", "format": "binary"}},
                        "image/webp": {"schema": {"type": "string", "format": "binary"}},
                    },
                },
                "responses": {
                    "201": _json("MediaReceipt", "stored"),
                    "200": _json("MediaReceipt", "already stored"),
                    "409": _json("Error", "this UUID holds other content"),
                    "422": _json("Error", "hash mismatch, bad UUID or not a usable photo"),
                    **ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/media",
        operations={
            "post": {
                "summary": "Upload several photos at once, all or none (media first, then the record); "
                "read as it arrives: if the connection drops, the photos that arrived whole are kept",
                "parameters": [{"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["manifest"],
                                "properties": {
                                    "manifest": {
                                        "type": "string",
                                        "description": 'JSON list of {"uuid", "sha256"}, '
                                        "at most 12; each file part is named "
                                        "by its uuid",
                                    }
                                },
                                "additionalProperties": {"type": "string", "format": "binary"},
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json("MediaBatchReceipt", "stored (some or all new)"),
                    "200": _json("MediaBatchReceipt", "all already stored"),
                    "400": _json("Error", "not multipart with a JSON manifest, or the body was cut short"),
                    "409": _json("Error", "a UUID holds other content"),
                    "422": _json("Error", "per uuid: hash mismatch, bad UUID, missing file or not a usable photo"),
                    **ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/media/known",
        operations={
            "post": {
                "summary": "Which of these uploads the server holds already (asked after a failed upload)",
                "parameters": [{"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": "MediaKnown"}}},
                "responses": {
                    "200": _json("MediaKnownReceipt", "the uuids held with that content"),
                    "400": _json("Error", "not a JSON object"),
                    "422": _json("Error", "invalid"),
                    **ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/inspections",
        operations={
            "post": {
                "summary": "Sync one inspection recorded offline (idempotent on its uuid)",
                "parameters": [{"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": "InspectionUpload"}}},
                "responses": {
                    "201": _json("IngestReceipt", "stored"),
                    "200": _json("IngestReceipt", "already stored"),
                    "400": _json("Error", "not a JSON object"),
                    "404": _json("Error", "enterprise not in scope"),
                    "409": _json("Error", "another payload under this uuid"),
                    "422": _json("Error", "invalid, missing media, or refused by a rule"),
                    **ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/hazards/{hazard_id}/rechecks",
        operations={
            "post": {
                "summary": "Sync one on-site re-check of a hazard (idempotent on its uuid)",
                "parameters": [
                    {"name": "hazard_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "requestBody": {"required": True, "content": {"application/json": {"schema": "RecheckUpload"}}},
                "responses": {
                    "201": _json("RecheckReceipt", "stored"),
                    "200": _json("RecheckReceipt", "already stored"),
                    "400": _json("Error", "not a JSON object"),
                    "404": _json("Error", "hazard not in scope"),
                    "409": _json("Error", "already re-checked, or this uuid holds another step"),
                    "422": _json("Error", "invalid, missing media, or refused by a rule"),
                    **ERRORS,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/openapi.json",
        operations={
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3 document"}},
            }
        },
    )
    document = spec.to_dict()
    document["security"] = [{"session": []}]
    return document
