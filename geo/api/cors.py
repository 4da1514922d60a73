"""CORS preflight (``OPTIONS``) for every route of the API, framework-free.

The data is public and carries no cookies, so any origin may read it (``Access-Control-Allow-Origin:
*``, never with credentials). A browser asks first, with ``OPTIONS`` and
``Access-Control-Request-Method``/``-Headers``, before a cross-origin request that sends a header
outside the CORS-safelisted ones (``If-None-Match`` for revalidation, for one). The answer is the
same for every route the app serves with GET, so new routes (the OGC API's) get it without a word.
"""

from __future__ import annotations

from . import ApiResponse

ALLOW_METHODS = "GET, HEAD, OPTIONS"
# Request headers a reader of the data may send cross-origin; anything else is left out of the
# answer, and the browser then refuses to send it.
ALLOW_HEADERS = ("accept", "accept-language", "content-language", "if-none-match", "if-modified-since",
                 "range", "cache-control")
MAX_AGE = 86400  # seconds a browser may remember the answer
EXPOSE_HEADERS = "ETag, Content-Disposition"


def preflight(request_method: str | None, request_headers: str | None) -> ApiResponse:
    """204 answer to an ``OPTIONS`` request: what methods and headers any origin may use."""
    headers = {"Allow": ALLOW_METHODS, "Access-Control-Allow-Origin": "*",
               "Access-Control-Allow-Methods": ALLOW_METHODS, "Access-Control-Max-Age": str(MAX_AGE),
               "Access-Control-Expose-Headers": EXPOSE_HEADERS, "Vary": "Origin"}
    asked = [h.strip().lower() for h in (request_headers or "").split(",") if h.strip()]
    allowed = [h for h in asked if h in ALLOW_HEADERS]
    if allowed:
        headers["Access-Control-Allow-Headers"] = ", ".join(allowed)
    return ApiResponse(b"", status=204, media_type="text/plain", headers=headers, max_age=MAX_AGE)
