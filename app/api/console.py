"""The operations console (`console/`, a React app) served at /console from its built files, same origin as
/graphql so no CORS is needed.

Vite names every built asset by its content hash, so those are cached for a year as immutable; index.html names
the current hashes and must be asked for every time (no-cache). Any other path under /console is a client-side
route and gets index.html. Without a build, a plain page says how to make one (503: the API is fine, the console
is not there yet).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

CONSOLE_DIST = Path(__file__).resolve().parents[2] / "console" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
NOT_BUILT = (
    "The operations console is not built.\n\n"
    "Build it with Node >= 20 and npm:\n\n"
    "    cd console && npm ci && npm run build\n\n"
    "(`make run` does this when node and npm are installed), then reload /console.\n"
)


def console_routes(dist: Path = CONSOLE_DIST) -> list[BaseRoute]:
    root = dist.resolve()

    async def page(request: Request) -> Response:
        index = root / "index.html"
        if not index.is_file():
            return PlainTextResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": NO_CACHE})
        wanted = request.path_params.get("path", "")
        if wanted:
            target = (root / wanted).resolve()
            if target.is_relative_to(root) and target.is_file():
                cache = IMMUTABLE if target.parent == root / "assets" else NO_CACHE
                return FileResponse(target, headers={"Cache-Control": cache})
            if wanted.startswith("assets/"):
                # A missing hashed asset is an old index.html's reference: a 404, never index.html as JavaScript.
                return PlainTextResponse("not found\n", status_code=404)
        return FileResponse(index, headers={"Cache-Control": NO_CACHE})

    async def slash(request: Request) -> Response:
        return RedirectResponse("/console/", status_code=308)

    return [Route("/console", slash), Mount("/console", routes=[Route("/{path:path}", page)])]
