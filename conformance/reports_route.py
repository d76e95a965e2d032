"""`GET /conformance/reports` (newest first, `?limit=`) and `DELETE` to start afresh: the validation mode API.

Read by `xds conformance reports` and by anyone with a browser; JSON shaped as `{"reports": [...]}` with each
report's endpoint, message kind, verdict and findings (code, location, message, severity).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.recorder import MessageRecorder

PATH = "/conformance/reports"


def reports_route(recorder: MessageRecorder) -> Route:
    async def reports(request: Request) -> Response:
        if request.method == "DELETE":
            recorder.clear()
            return Response(status_code=204)
        try:
            limit = int(request.query_params.get("limit", "50"))
        except ValueError:
            return JSONResponse({"error": "limit must be an integer"}, status_code=400)
        return JSONResponse({"reports": [r.as_dict() for r in recorder.recent(limit)]})

    return Route(PATH, reports, methods=["GET", "DELETE"])
