"""Refuse an import upload over the size limit before Django reads its body.

Django reads a multipart body the first time anything touches ``request.POST`` or
``request.FILES``; ``CsrfViewMiddleware.process_view`` does so before any view runs. Every
middleware's request phase runs before any ``process_view``, so ``ImportSizeLimitMiddleware``
(listed in ``MIDDLEWARE``) sees the request first. For ``POST /recovery/import/`` it

* answers 413 at once when the declared ``Content-Length`` is over the limit (nothing read);
* otherwise puts ``UploadLimitHandler`` first among the upload handlers: it counts the file's
  bytes as they stream and stops the upload once they pass ``MAX_UPLOAD_BYTES`` (a file just
  over the limit in a body just under it). The import view then answers 413 too
  (``upload_refused``). A body sent without a declared length is read as empty by Django under
  WSGI, so it gets "choose a file", not a large read.

Every other path is capped far lower by ``heelwise.common.request_limits``.

This holds under WSGI (gunicorn), which hands Django the body as a stream. An ASGI server reads
the whole body before Django sees the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from heelwise.parsers.api import MB
from heelwise.runlog.importing import MAX_UPLOAD_BYTES

#: The file plus the form around it (CSRF token, multipart headers).
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + MB
REFUSED_MESSAGE = f"This upload is larger than {MAX_UPLOAD_BYTES // MB} MB."
_REFUSED_KEY = "heelwise.upload_refused"


def upload_refused(request: HttpRequest) -> bool:
    """Whether ``UploadLimitHandler`` stopped this request's upload for its size."""
    return bool(request.META.get(_REFUSED_KEY))


class UploadLimitHandler(FileUploadHandler):
    """Stops the upload when the file's streamed bytes pass ``limit``. The rest of the body
    (at most the ~1 MB that ``MAX_REQUEST_BYTES`` allows over the limit) is read and dropped so
    the browser gets the 413 page rather than a reset connection."""

    def __init__(self, request: HttpRequest, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = MAX_UPLOAD_BYTES if limit is None else limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            assert self.request is not None
            self.request.META[_REFUSED_KEY] = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the uploaded file


class ImportSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.path = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            self.path = self.path or reverse("runlog:import_new")
            if request.path_info == self.path:
                refused = self._check(request)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
            from heelwise.runlog.views import import_refused

            return import_refused(request)
        handlers: list[Any] = list(request.upload_handlers)
        request.upload_handlers = [UploadLimitHandler(request), *handlers]
        return None
