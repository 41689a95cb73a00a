"""Validation of assessment requests against the findings vocabulary (spec/assessment.md).

A request is ``{"id": str?, "patient": {...}?, "findings": {...}?}``; every key is optional and
``null`` means unknown. Anything else is a problem ``{"field": ..., "message": ...}``: unknown
keys (never silently ignored), wrong types, values out of range or not among the options.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from heelwise.clinical.knowledge_base import Finding, KnowledgeBase

Problem = dict[str, str]
TOP_LEVEL = ("id", "patient", "findings")


class InvalidRequest(ValueError):
    """The request does not follow the contract; ``problems`` names every bad field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in problems))
        self.problems = problems


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _check_value(f: Finding, value: Any) -> str | None:
    """Return a message if ``value`` is not valid for ``f`` (``None`` is always valid)."""
    if value is None:
        return None
    if f.type == "bool":
        if not isinstance(value, bool):
            return f"must be true, false or null, not {_type_name(value)}"
        return None
    if f.type == "enum":
        if not isinstance(value, str):
            return f"must be one of {[v for v, _ in f.options]} or null, not {_type_name(value)}"
        if value not in {v for v, _ in f.options}:
            return f"{value!r} is not one of {[v for v, _ in f.options]}"
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number or null, not {_type_name(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if f.integer and not float(value).is_integer():
        return "must be a whole number"
    if f.min is not None and value < f.min or f.max is not None and value > f.max:
        return f"{value} is out of range: must be between {f.min:g} and {f.max:g}"
    return None


def _quick_valid(kb: KnowledgeBase) -> dict[str, frozenset[Any] | None]:
    """Per yes/no or option key, the values that are valid at a glance (None: check in full)."""
    quick: dict[str, frozenset[Any] | None] | None = kb.cache.get("quick_valid")
    if quick is None:
        quick = kb.cache["quick_valid"] = {
            k: frozenset(v for v, _ in f.options) if f.type == "enum" else None
            for k, f in kb.findings.items()
            if f.type in ("bool", "enum")
        }
    return quick


def parse_request(kb: KnowledgeBase, request: Any) -> tuple[dict[str, Any], Any, list[Problem]]:
    """Check a request; return (known values by key, the id, problems)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if not isinstance(request, Mapping):
        return (
            values,
            None,
            [
                {
                    "field": "$",
                    "message": f"the request must be a JSON object, not {_type_name(request)}",
                }
            ],
        )
    problems.extend(
        {"field": str(key), "message": "unknown key (allowed: id, patient, findings)"}
        for key in request
        if key not in TOP_LEVEL
    )
    rid = request.get("id")
    if rid is not None and not isinstance(rid, str):
        problems.append({"field": "id", "message": f"must be a string, not {_type_name(rid)}"})
    for scope in ("patient", "findings"):
        block = request.get(scope)
        if block is None:
            continue
        if not isinstance(block, Mapping):
            problems.append(
                {"field": scope, "message": f"must be an object, not {_type_name(block)}"}
            )
            continue
        quick = _quick_valid(kb)
        for key, value in block.items():
            f = kb.findings.get(key) if isinstance(key, str) else None
            if f is not None and f.scope == scope and key in quick:
                allowed = quick[key]
                if allowed is None:
                    if value is True or value is False:
                        values[key] = value
                        continue
                elif type(value) is str and value in allowed:
                    values[key] = value
                    continue
            field = f"{scope}.{key}"
            if f is None or f.scope != scope:
                hint = f" (it belongs in {f.scope})" if f is not None else ""
                problems.append({"field": field, "message": f"unknown key{hint}"})
                continue
            message = _check_value(f, value)
            if message is not None:
                problems.append({"field": field, "message": message})
            elif value is not None:
                values[key] = value
    return values, rid, problems


def validate_request(request: Any, kb: KnowledgeBase | None = None) -> list[Problem]:
    """Every problem with ``request`` (an empty list when it is valid)."""
    from heelwise.clinical.knowledge_base import load_knowledge_base

    return parse_request(kb or load_knowledge_base(), request)[2]
