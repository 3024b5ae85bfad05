"""OpenAPI 3.1 description of the HTTP API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

__all__ = ["openapi_document"]

_FLAG = {"type": "object", "required": ["code", "evidence"], "properties": {
    "code": {"type": "string", "description": "warning-sign code (see bot/detector/lexicons/README.md)"},
    "evidence": {"type": "string", "description": "the words of the text that triggered it"},
    "start": {"type": "integer"}, "end": {"type": "integer"}}}
_VERDICT = {"type": "object", "required": ["risk", "level", "intent", "language", "flags", "entities", "matches",
                                            "model_version"], "properties": {
    "risk": {"type": "number", "minimum": 0, "maximum": 1},
    "level": {"type": "string", "enum": ["high", "medium", "low"]},
    "intent": {"type": "string", "enum": ["job_offer", "detention_report", "contacts_request", "question", "other"]},
    "language": {"type": "string"},
    "flags": {"type": "array", "items": _FLAG},
    "entities": {"type": "object", "additionalProperties": True},
    "matches": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "similarity": {"type": "number"}, "source": {"type": "string"},
        "snippet": {"type": "string"}}}},
    "model_version": {"type": "string"}, "model_risk": {"type": "number"},
    "top_terms": {"type": "array", "items": {"type": "string"}}, "truncated": {"type": "boolean"}}}
_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}


def _resp(description: str, schema: dict[str, Any] | None = None, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = {"application/json": {"schema": schema}}
    if headers:
        out["headers"] = headers
    return out


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "SafeJob API", "version": "1",
                 "description": "Check a job offer or message for the signs of a fake overseas job offer."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": {"Verdict": _VERDICT, "Flag": _FLAG, "Error": _ERROR}},
        "paths": {
            "/api/v1/check": {"post": {
                "summary": "Check one text",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["text"],
                    "properties": {"text": {"type": "string", "minLength": 1}}}}}},
                "responses": {
                    "200": _resp("the verdict", {"$ref": "#/components/schemas/Verdict"}),
                    "400": _resp("malformed JSON, missing or empty text", {"$ref": "#/components/schemas/Error"}),
                    "401": _resp("missing or invalid API key", {"$ref": "#/components/schemas/Error"}),
                    "413": _resp("body over 64 KB", {"$ref": "#/components/schemas/Error"}),
                    "429": _resp("over the per-key rate limit", {"$ref": "#/components/schemas/Error"},
                                 {"Retry-After": {"schema": {"type": "integer"}}}),
                }}},
            "/healthz": {"get": {"summary": "Model loaded and store reachable", "responses": {
                "200": _resp("healthy"), "503": _resp("model or store unavailable")}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": _resp("text exposition format")}}},
        },
    }
