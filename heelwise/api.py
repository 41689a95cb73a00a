"""The JSON API at /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Each app contributes a router; this module assembles them and applies what every endpoint shares
(``heelwise.common.api``): one JSON error shape for every status, including unknown paths (404)
and wrong methods (405); unknown or repeated query parameters are a 422; HEAD works on every GET
route; JSON request bodies only (415 otherwise, 400 naming what is malformed); Django's CSRF
check on any unsafe request that carries a signed-in session; and the 404, 405 and 422 of every
operation in the OpenAPI schema. The docs page serves django-ninja's own swagger-ui files from
our static files (``ninja`` is in INSTALLED_APPS): the CSP allows no CDN and no inline script.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from heelwise.assessment.api import router as assessment_router
from heelwise.booking.api import router as booking_router
from heelwise.clinics.api import router as clinics_router
from heelwise.common.api import (
    JsonParser,
    install_error_handlers,
    json_error_urls,
    openapi_common_errors,
    request_checks,
)


class HeelwiseAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        return json_error_urls(patterns), app_name, namespace

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        openapi_common_errors(schema)
        return schema


api = HeelwiseAPI(
    title="Heelwise API",
    version="1.0.0",
    description=(
        "Clinic sites, services, free slots and bookings, and the heel-pain self-assessment. "
        "All times are ISO-8601 with the Europe/London offset.\n\n"
        'Every error is JSON: `{"detail": "...", "errors": {"field": ["message", ...]}}`, with '
        "`errors` naming each bad field (empty when the problem is not one field's). Request "
        "bodies must be JSON sent with `Content-Type: application/json` (415 otherwise; 400 when "
        "the body is not valid JSON). Unknown fields and unknown or repeated query parameters are "
        "a 422 naming them. An unknown path is a 404 and a wrong method a 405, in the same "
        "shape; HEAD answers like GET, without the body. A write that carries a signed-in "
        "session cookie must pass Django's CSRF check (403 otherwise); programs should call the "
        "API without one."
    ),
    urls_namespace="api-v1",
    parser=JsonParser(),
)
install_error_handlers(api)
api.add_decorator(request_checks, mode="view")
api.add_router("/", clinics_router)
api.add_router("/", booking_router)
api.add_router("/", assessment_router)
