"""OpenAPI pieces every endpoint shares: the error answers, added to each operation by a
postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``), in the shapes
``core.api.exception_handler`` gives them."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": (
        "A refusal: a rule of the service (a `DomainError`), a permission, a record not found, "
        "a body that cannot be read."
    ),
    "properties": {
        "code": {
            "type": "string",
            "description": (
                "Stable, for programs: e.g. `invalid_transition`, `idempotency_key_reused`, "
                "`insufficient_balance`, `not_found`, `permission_denied`, `not_authenticated`, "
                "`parse_error`."
            ),
        },
        "detail": {"type": "string", "description": "For people, in the caller's language."},
        "field": {
            "type": "string",
            "description": "The input the refusal is about, when it is about one.",
        },
    },
    "required": ["code", "detail"],
}

VALIDATION_ERRORS = {
    "type": "object",
    "description": (
        "Invalid input: the messages (in the caller's language) by field or query parameter "
        "name, `non_field_errors` for the input as a whole; a list's items by their index."
    ),
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]
    },
    "minProperties": 1,
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def add_error_responses(result, generator, request, public):
    """Give every operation the error answers it can give, unless it declares its own: 400 (invalid
    input or a rule refused), 403 (not signed in, or the role may not), 404 (a record that does
    not exist or is outside the caller's scope, a page past the last) and, for a POST, 409 (the
    record's state, or an idempotency key reused with another body)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationErrors"] = VALIDATION_ERRORS
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = {p.get("name") for p in operation.get("parameters", [])}
            answers = {
                "400": _answer(
                    "Invalid input (messages by field), or a rule refused the request.",
                    {"oneOf": [_ref("ValidationErrors"), _ref("Error")]},
                ),
                "403": _answer(
                    "Not signed in, or the caller's role may not do this.", _ref("Error")
                ),
            }
            if "{" in path or "page" in parameters:
                answers["404"] = _answer(
                    "No such record in the caller's scope (one outside it looks the same), or a "
                    "page past the last.",
                    _ref("Error"),
                )
            if method == "post":
                answers["409"] = _answer(
                    "The record's state does not allow it now, or the Idempotency-Key was used "
                    "for another request.",
                    _ref("Error"),
                )
            responses = operation["responses"]
            for status, answer in answers.items():
                responses.setdefault(status, answer)
    return result
