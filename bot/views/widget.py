"""The chat widget's files (built by scripts/build_widget.sh into widget/dist) and the demo page.

    GET /                     demo host page: a mock bureau page embedding the widget with one tag
    GET /widget/embed.js      the one script a host page includes
    GET /widget/              the chat itself (embed.js shows it in an iframe; also usable on its own)
    GET /widget/assets/...    the bundle, content-hashed names: cached for a year
    GET /widget/<file>        the other built files (demo.css)

The build output is not in git; until it exists these pages answer 503 with what to run. The pages are
sent with a Content-Security-Policy that allows only this origin's scripts, so even if text from a reply
were ever turned into markup, no script could run from it.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.settings import REPO_ROOT
from infra.settings import default, get

WIDGET_DIST = web.AppKey("widget_dist", Path)
# deploy/defaults.env writes it relative to the checkout, so that it holds wherever the checkout is.
DEFAULT_DIST = REPO_ROOT / default("WIDGET_DIST")

NOT_BUILT = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>政策助手尚未构建</title>'
    "<p>网页对话组件尚未构建，请先运行 <code>make setup</code>（或 <code>bash scripts/build_widget.sh</code>）。</p>"
)

# The chat page is framed by whatever site embeds it; the demo page frames it, and is framed by nobody.
_CSP_COMMON = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
WIDGET_CSP = f"{_CSP_COMMON}; frame-ancestors *"
DEMO_CSP = f"{_CSP_COMMON}; frame-src 'self'; frame-ancestors 'self'"

NO_CACHE = "no-cache"  # revalidate: a new build must show at once
SHORT_CACHE = "public, max-age=300"  # embed.js: host pages load it on every view
IMMUTABLE = "public, max-age=31536000, immutable"


def setup_widget_routes(app: web.Application, dist: Path | None = None) -> None:
    app[WIDGET_DIST] = REPO_ROOT / (dist or get("WIDGET_DIST"))  # an absolute path stays as it is
    app.router.add_get("/", demo_page, name="demo")
    app.router.add_get("/widget", widget_redirect, name="widget_redirect")
    app.router.add_get("/widget/", widget_page, name="widget")
    app.router.add_get("/widget/{path:.+}", widget_file, name="widget_file")


async def demo_page(request: web.Request) -> web.StreamResponse:
    return _html(request, "demo.html", DEMO_CSP)


async def widget_page(request: web.Request) -> web.StreamResponse:
    return _html(request, "index.html", WIDGET_CSP)


async def widget_redirect(request: web.Request) -> web.StreamResponse:
    # Relative asset URLs in index.html need the trailing slash.
    query = request.rel_url.raw_query_string  # still percent-encoded: "#" in a colour must stay %23
    location = "/widget/" + (f"?{query}" if query else "")
    raise web.HTTPMovedPermanently(location)


async def widget_file(request: web.Request) -> web.StreamResponse:
    relative = request.match_info["path"]
    if relative in ("index.html", "demo.html"):
        # Only through their own routes, which send the right CSP.
        raise web.HTTPNotFound()
    path = _inside(request.app[WIDGET_DIST], relative)
    if path is None:
        raise web.HTTPNotFound()
    if relative.startswith("assets/"):
        cache = IMMUTABLE
    elif relative == "embed.js":
        cache = SHORT_CACHE
    else:
        cache = NO_CACHE
    response = web.FileResponse(path, headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"})
    if relative == "embed.js":
        # Loaded by host pages on other origins; harmless to share, and needed if a page loads it with CORS.
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _html(request: web.Request, name: str, csp: str) -> web.StreamResponse:
    path = _inside(request.app[WIDGET_DIST], name)
    if path is None:
        return web.Response(status=503, text=NOT_BUILT, content_type="text/html", charset="utf-8")
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": NO_CACHE,
            "Content-Security-Policy": csp,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )


def _inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names under `root`, or None: missing, a directory, hidden, or outside root."""
    if any(part.startswith(".") for part in Path(relative).parts):
        return None  # .build-hash and the like, and any ../
    root = root.resolve()
    try:
        path = (root / relative).resolve()
        # is_file() too: it raises for a name the file system refuses (too long), rather than saying no.
        if not path.is_relative_to(root) or not path.is_file():
            return None
    except (OSError, ValueError):
        return None
    return path
