"""What every /api/v1/ endpoint shares: one error body, JSON request bodies, CSRF for sessions,
strict query strings (an unknown or repeated parameter is a 422), HEAD on every GET route, and
the 404/405/422 responses of every operation in the OpenAPI schema.

Every error the API returns, whatever the route or status, is

    {"detail": "one sentence saying what went wrong", "errors": {"field": ["message", ...]}}

with ``errors`` naming each bad field (``{}`` when the problem is not one field's: malformed JSON,
wrong Content-Type, unknown path, wrong method, slot taken, rate limit). The assessment endpoint's
400 and 422 also carry ``error.problems`` as fixed by spec/assessment.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD"})
JSON = "application/json"
DOCS = "/api/v1/docs"
UNKNOWN_FIELD = f"Unknown field: check its spelling against {DOCS}."


class ErrorOut(Schema):
    """The body of every error response of /api/v1/."""

    detail: str
    errors: dict[str, list[str]] = {}


class InvalidJsonBody(ValueError):
    """The request body is not one JSON document (the message says why, for the client)."""


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or {}}


def error_response(
    status: int, detail: str, errors: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(detail, errors), status=status)


def _reject_constant(name: str) -> Any:
    raise InvalidJsonBody(f"request body is not valid JSON: {name} is not a JSON number.")


def json_body(request: HttpRequest) -> Any:
    """The request body decoded as JSON; :class:`InvalidJsonBody` says exactly why it is not."""
    if not request.body:
        raise InvalidJsonBody("request body is empty: send a JSON object.")
    try:
        return json.loads(request.body, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidJsonBody(
            f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}."
        ) from exc
    except UnicodeDecodeError as exc:
        raise InvalidJsonBody("request body is not valid JSON: it is not UTF-8 text.") from exc


class JsonParser(Parser):
    """ninja's body parser, with :func:`json_body`'s specific reasons (see ``_http_error``)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json_body(request)


# --- request checks that run before any parsing (CSRF, Content-Type) ----------------------------


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:
        return reason


def _csrf_failure(request: HttpRequest) -> str | None:
    """Django's CSRF check for a request that carries a signed-in session (None when it passes).

    Anonymous requests are not checked: they act for nobody, so a forged one can do nothing the
    sender could not do directly (the approach of Django REST framework's SessionAuthentication).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    check = _CsrfCheck(lambda _request: HttpResponse())
    request.csrf_processing_done = False  # type: ignore[attr-defined]
    check.process_request(request)
    reason = check.process_view(request, _no_view, (), {})
    return reason if isinstance(reason, str) else None


def _no_view(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    return HttpResponse()


def unsafe_request_error(request: HttpRequest) -> JsonResponse | None:
    """403 for a session request that fails CSRF, 415 for a body that is not declared JSON."""
    if request.method not in UNSAFE_METHODS:
        return None
    reason = _csrf_failure(request)
    if reason is not None:
        return error_response(
            403,
            f"CSRF check failed: {reason} This request carries a signed-in session, so it must "
            "send the X-CSRFToken header; programs should call the API without a session cookie.",
        )
    if request.content_type != JSON:
        sent = f"'{request.content_type}'" if request.content_type else "none"
        return error_response(
            415,
            f"Send the request body as JSON with the header Content-Type: {JSON} (got {sent}).",
        )
    return None


def query_parameters(operation: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameters a ninja operation declares, and those of them that may repeat."""
    names: set[str] = set()
    repeatable: set[str] = set()
    for model in getattr(operation, "models", ()):
        if getattr(model, "__ninja_param_source__", None) != "query":
            continue
        flat = getattr(model, "__ninja_flatten_map__", None)
        names.update(flat or (f.alias or n for n, f in model.model_fields.items()))
        repeatable.update(getattr(model, "__ninja_collection_fields__", None) or ())
    return frozenset(names), frozenset(repeatable)


def query_problems(
    request: HttpRequest, *, names: frozenset[str], repeatable: frozenset[str]
) -> dict[str, list[str]]:
    """Each query parameter the route does not take, or gives more than once (ninja itself
    ignores the first and would silently use the last value)."""
    problems: dict[str, list[str]] = {}
    for name, values in request.GET.lists():
        if name not in names:
            problems[name] = [UNKNOWN_FIELD]
        elif len(values) > 1 and name not in repeatable:
            times = "twice" if len(values) == 2 else f"{len(values)} times"
            problems[name] = [f"{name} given {times}: give it once."]
    return problems


def _route_422_errors(response: HttpResponse) -> dict[str, list[str]]:
    """The fields a route's own 422 named ({} for any other answer)."""
    if response.status_code != 422:
        return {}
    try:
        errors = json.loads(response.content).get("errors")
    except (ValueError, AttributeError):
        return {}
    return errors if isinstance(errors, dict) else {}


def query_error_response(
    problems: dict[str, list[str]], route_errors: dict[str, list[str]] | None = None
) -> JsonResponse:
    """422 naming the query problems and any fields the route itself refused."""
    errors = {field: list(messages) for field, messages in problems.items()}
    for field, messages in (route_errors or {}).items():
        known = errors.setdefault(field, [])
        known.extend(message for message in messages if message not in known)
    return error_response(422, f"Invalid request: check {', '.join(sorted(errors))}.", errors)


def request_checks(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja "view" decorator: runs :func:`unsafe_request_error` before any parsing, and refuses
    a query string with an unknown or repeated parameter (:func:`query_problems`).

    Applied with ``api.add_decorator(..., mode="view")`` as the API's only view decorator, so
    ``run`` is the bound ``Operation.run`` and says which query parameters the route takes. A
    read (GET, HEAD) with query problems still runs, so that the 422 names every bad field at
    once; a write never runs with them.
    """
    operation = getattr(run, "__self__", None)
    if operation is None:  # another view decorator came first: the routes' parameters are lost
        raise TypeError("request_checks must be the API's first view decorator.")
    names, repeatable = query_parameters(operation)

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = unsafe_request_error(request)
        if refused is not None:
            return refused
        problems = query_problems(request, names=names, repeatable=repeatable)
        if not problems:
            return run(request, *args, **kwargs)
        if request.method in READ_METHODS:
            return query_error_response(problems, _route_422_errors(run(request, *args, **kwargs)))
        return query_error_response(problems)

    return checked


# --- ninja's own errors, in the one shape -----------------------------------------------------

_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": UNKNOWN_FIELD,
    "string_type": "Must be a string.",
    "int_type": "Must be a whole number.",
    "int_parsing": "Must be a whole number.",
    "int_from_float": "Must be a whole number.",
    "bool_type": "Must be true or false.",
    "bool_parsing": "Must be true or false.",
}


def _message(error: dict[str, Any]) -> str:
    known = _MESSAGES.get(str(error.get("type")))
    if known:
        return known
    msg = str(error.get("msg", "Invalid value"))
    return msg if msg.endswith(".") else msg + "."


def _field(loc: Sequence[Any]) -> str:
    """The client's name for the field: ("body", "payload", "start") -> "start";
    ("query", "days") -> "days"; "" for the body as a whole."""
    source, rest = (loc[0], list(loc[1:])) if loc else ("", [])
    if source == "body" and rest:
        rest = rest[1:]  # the view's parameter name, which the client never sees
    return ".".join(str(part) for part in rest)


def validation_error_response(errors: Iterable[dict[str, Any]]) -> JsonResponse:
    by_field: dict[str, list[str]] = {}
    whole_body: list[dict[str, Any]] = []
    for error in errors:
        field = _field(error.get("loc", ()))
        if not field:
            whole_body.append(error)
            continue
        messages = by_field.setdefault(field, [])
        message = _message(error)
        if message not in messages:
            messages.append(message)
    if whole_body and not by_field:
        if any(e.get("type") == "missing" for e in whole_body):
            return error_response(400, "request body is empty: send a JSON object.")
        return error_response(400, "request body must be a JSON object.")
    names = ", ".join(sorted(by_field))
    return error_response(422, f"Invalid request: check {names}.", by_field)


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return validation_error_response(exc.errors)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, InvalidJsonBody):
        return error_response(400, str(cause))
    return error_response(exc.status_code, str(exc))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "Not found.")


def install_error_handlers(api: NinjaAPI) -> None:
    api.exception_handler(ValidationError)(_validation_error)
    api.exception_handler(HttpError)(_http_error)
    api.exception_handler(Http404)(_not_found)


# --- OpenAPI: the errors every operation can answer ---------------------------------------------

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMMON_ERRORS = {
    "404": "No endpoint at this path (the paths have no trailing slash).",
    "405": "The path exists but not for this method; the Allow header lists the methods.",
    "422": "Bad input: an unknown or repeated query parameter, or a bad field, each named.",
}


def openapi_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the 404, 405 and 422 every operation can answer (see :func:`json_url_errors` and
    :func:`request_checks`) to each operation of an OpenAPI schema, with the one error body."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        ErrorOut.__name__, ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}}}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            declared = {str(status) for status in responses}  # ninja's keys are ints
            for status, description in COMMON_ERRORS.items():
                if status not in declared:
                    responses[status] = {"description": description, "content": body}
    return schema


# --- URL level: unknown paths and wrong methods -----------------------------------------------


def json_url_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a URL's view so that Django's plain-text 405 and HTML 404 become JSON errors, and
    HEAD answers like GET wherever GET is allowed (same status and headers, no body)."""

    @wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself (see unsafe_request_error)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = _json_errors(view, request, *args, **kwargs)
        if (
            request.method == "HEAD"
            and isinstance(response, HttpResponseNotAllowed)
            and "GET" in _allowed(response)
        ):
            request.method = "GET"
            try:
                response = _json_errors(view, request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        if isinstance(response, HttpResponseNotAllowed):
            allowed = _allowed(response)
            if "GET" in allowed:
                allowed.append("HEAD")
            json_response = error_response(
                405, f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}."
            )
            json_response["Allow"] = ", ".join(allowed)
            response = json_response
        if request.method == "HEAD":
            head_of(response)
        return response

    return wrapped


def _json_errors(
    view: Callable[..., HttpResponse], request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponse:
    try:
        return view(request, *args, **kwargs)
    except Http404:
        return unknown_path(request)


def _allowed(response: HttpResponse) -> list[str]:
    return sorted(m.strip() for m in response["Allow"].split(",") if m.strip())


def head_of(response: HttpResponse) -> None:
    """Make a GET response the answer to HEAD: the same headers (Content-Length included)
    and no body."""
    if response.streaming:
        return
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    response.content = b""


@csrf_exempt
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(404, f"No API endpoint at {request.path}; see {DOCS} for the endpoints.")


def json_error_urls(
    patterns: Sequence[URLPattern | URLResolver],
) -> list[URLPattern | URLResolver]:
    """The API's URL patterns with JSON 404/405, then a catch-all JSON 404 for every other path."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = json_url_errors(pattern.callback)
    return [*patterns, re_path(r"^.*$", json_url_errors(unknown_path), name="api-unknown")]
