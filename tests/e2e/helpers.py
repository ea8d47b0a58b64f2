"""Plain helpers for the browser tests: accessibility (axe-core), phone screenshots, page weight, keyboard reach.

Every helper works on pages with JavaScript enabled and disabled. The tools come from ``bootstrap.sh``: Debian's
Chromium at ``/usr/bin/chromium`` and axe-core pinned in ``package-lock.json``. A missing tool skips the test with
the command that installs it, or fails it when ``CI=true``.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import requests
from playwright.sync_api import Page, ViewportSize

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parents[1]

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium calls Google's hosts at start, and this closed network refuses them.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INSTALL_CHROMIUM = "sudo apt-get install -y chromium fonts-dejavu-core  (or: bash tests/e2e/bootstrap.sh)"

AXE_JS = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_AXE = "npm ci --prefix tests/e2e  (or: bash tests/e2e/bootstrap.sh)"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")

PHONE = ViewportSize(width=360, height=740)
# The budget: "at most 50 KB over the wire (HTML + CSS + any script, compressed)". 1 KB = 1,000 bytes.
PAGE_BUDGET_BYTES = 50_000

# What this test session measured and wrote, printed in pytest's summary by ``conftest.py``.
WEIGHTS_MEASURED: list[PageWeight] = []
SCREENSHOTS_WRITTEN: list[Path] = []


# --- Tools -------------------------------------------------------------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_tool(path: Path, *, what: str, install: str) -> None:
    """Skip the running test when a browser tool is missing (with how to install it); fail it when CI=true."""
    if path.exists():
        return
    message = f"{what} is missing ({path}); install it with: {install}"
    if in_ci():
        pytest.fail(f"{message}. CI=true: a missing browser tool is a failure, never a skip.", pytrace=False)
    pytest.skip(message)


def scripting_enabled(page: Page) -> bool:
    """Whether the page runs JavaScript (the ``scripting`` media feature follows the context's setting)."""
    return bool(page.evaluate("() => matchMedia('(scripting: enabled)').matches"))


# --- Accessibility -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AxeNode:
    target: str
    html: str
    summary: str


@dataclass(frozen=True)
class AxeViolation:
    rule_id: str
    impact: str
    help: str
    help_url: str
    nodes: tuple[AxeNode, ...]


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


_AXE_RESULT = """results => results.violations.map(v => ({
    id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
        target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' >> '),
        html: n.html, summary: n.failureSummary || '',
    })),
}))"""

# With JavaScript disabled Chromium runs no timer, task, event handler, queueMicrotask or observer callback: only
# the code Playwright evaluates and V8's own promise jobs. axe-core needs setTimeout(…, 0) between rules, so while
# it runs, short timeouts become promise jobs; its long safety timeouts (preload, frames) never fire, as on a page
# that is fast enough. The whole run then completes inside one evaluation, and the next evaluation reads the
# result (a run that waits for something else, such as an autoplaying video's metadata, is reported as stuck).
_AXE_RUN_WITHOUT_SCRIPTING = (
    """options => {
    const saved = {setTimeout: window.setTimeout, clearTimeout: window.clearTimeout};
    const cancelled = new Set();
    let next = 1;
    window.setTimeout = (callback, delay, ...args) => {
        const id = next++;
        if ((Number(delay) || 0) <= 10) Promise.resolve().then(() => { if (!cancelled.has(id)) callback(...args); });
        return id;
    };
    window.clearTimeout = id => { cancelled.add(id); };
    const toResult = """
    + _AXE_RESULT
    + """;
    window.__motcuaAxe = {state: 'running'};
    axe.run(document, options).then(
        results => { Object.assign(window, saved); window.__motcuaAxe = {state: 'done', violations: toResult(results)}; },
        error => { Object.assign(window, saved); window.__motcuaAxe = {state: 'error', message: String(error)}; },
    );
}"""
)


def run_axe(page: Page) -> list[AxeViolation]:
    """axe-core's violations of WCAG 2.1 A/AA and its best practices on the page as it is now."""
    require_tool(AXE_JS, what="axe-core", install=INSTALL_AXE)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated by the DevTools protocol, not through a <script> tag: works without JavaScript and under a
        # Content-Security-Policy that forbids inline scripts.
        page.evaluate("() => {\n" + _axe_source() + "\n}")
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": list(AXE_TAGS)},
        "resultTypes": ["violations"],
    }
    if scripting_enabled(page):
        raw = page.evaluate(f"async options => ({_AXE_RESULT})(await axe.run(document, options))", options)
    else:
        page.evaluate(_AXE_RUN_WITHOUT_SCRIPTING, {**options, "iframes": False})
        outcome = page.evaluate("() => window.__motcuaAxe")
        if outcome.get("state") != "done":
            raise AssertionError(f"axe-core did not complete on a page without JavaScript: {outcome}")
        raw = outcome["violations"]
    return [
        AxeViolation(
            rule_id=v["id"],
            impact=v["impact"],
            help=v["help"],
            help_url=v["helpUrl"],
            nodes=tuple(AxeNode(n["target"], n["html"], n["summary"]) for n in v["nodes"]),
        )
        for v in raw
    ]


def describe_violations(violations: Sequence[AxeViolation], *, context: str, url: str) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {context} ({url}):"]
    for violation in violations:
        lines.append(
            f"- [{violation.impact or 'n/a'}] {violation.rule_id}: {violation.help}  <{violation.help_url}>"
        )
        for node in violation.nodes:
            html = node.html if len(node.html) <= 160 else node.html[:157] + "..."
            lines.append(f"    at {node.target}    {html}")
            lines.extend(f"      {line}" for line in node.summary.splitlines() if line.strip())
    return "\n".join(lines)


def check_accessibility(page: Page, *, context: str) -> None:
    """Fail the test, listing rule, impact, help and target selectors, if axe-core finds any violation."""
    violations = run_axe(page)
    if violations:
        pytest.fail(describe_violations(violations, context=context, url=page.url), pytrace=False)


# --- Screenshots -------------------------------------------------------------------------------------------


def screenshot_dir() -> Path:
    """``var/screenshots/`` in the checkout, or ``$E2E_SCREENSHOT_DIR``."""
    configured = os.environ.get("E2E_SCREENSHOT_DIR", "").strip()
    return Path(configured).resolve() if configured else ROOT / "var" / "screenshots"


def screenshot(page: Page, name: str) -> Path:
    """Write a full-page PNG of the page to the screenshot folder as ``<name>.png``; return its path."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    if not safe:
        raise ValueError(f"screenshot name {name!r} has no usable characters")
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    SCREENSHOTS_WRITTEN.append(path)
    return path


# --- Keyboard ----------------------------------------------------------------------------------------------

_FOCUS_STATE = """selector => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return ['(document)', false];
    const position = Array.prototype.indexOf.call(document.getElementsByTagName('*'), el);
    const key = el.tagName.toLowerCase() + '#' + el.id + '@' + position;
    return [key, el.matches(selector) && el.getClientRects().length > 0];
}"""


def keyboard_reachable(page: Page, selector: str, *, max_tabs: int = 300) -> bool:
    """Whether pressing Tab, round the page's whole focus cycle, gives focus to a visible element matching
    ``selector`` (the first press starts wherever focus is, so the cycle is followed until it repeats)."""
    seen: set[str] = set()
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        key, matched = page.evaluate(_FOCUS_STATE, selector)
        if matched:
            return True
        if key in seen:
            return False
        seen.add(key)
    return False


# --- Page weight -------------------------------------------------------------------------------------------

_COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|json|xml|manifest\+json)|image/svg\+xml)")
_CSS_REFERENCE = re.compile(
    r"""@import\s+(?:url\(\s*)?["']?(?P<import>[^"')\s;]+)|url\(\s*["']?(?P<url>[^"')]+?)["']?\s*\)""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ResourceWeight:
    url: str
    kind: str  # document, stylesheet, script, image, icon, preload, css-import, css-url
    status: int
    content_type: str
    content_encoding: str  # "" when served as is
    wire_bytes: int  # body bytes as served (compressed if the server compressed it)
    decoded_bytes: int

    @property
    def compressible(self) -> bool:
        return bool(_COMPRESSIBLE.match(self.content_type))


@dataclass
class PageWeight:
    """Body bytes a first visit downloads from the page's own origin (HTTP headers not counted).

    ``total_wire_bytes`` is what this server sent. ``total_compressed_bytes`` counts text that was sent
    uncompressed at its gzip size instead: the static files of Django's test server are never compressed, while
    a production server can compress them. Both exclude the ``exclude``d paths (user files) and other origins.
    """

    url: str
    resources: list[ResourceWeight] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    _gzip_sizes: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def total_wire_bytes(self) -> int:
        return sum(r.wire_bytes for r in self.resources)

    @property
    def total_compressed_bytes(self) -> int:
        return sum(self.compressed_bytes(r) for r in self.resources)

    def compressed_bytes(self, resource: ResourceWeight) -> int:
        return self._gzip_sizes.get(resource.url, resource.wire_bytes)

    @property
    def uncompressed_text(self) -> list[ResourceWeight]:
        """Text resources the server sent without compression."""
        return [r for r in self.resources if r.compressible and not r.content_encoding]

    def report(self) -> str:
        lines = [f"Page weight of {self.url}:"]
        for r in self.resources:
            encoding = r.content_encoding or "identity"
            lines.append(
                f"  {r.wire_bytes:>8} B wire  {self.compressed_bytes(r):>8} B gz  {r.decoded_bytes:>8} B raw"
                f"  {encoding:<8} {r.kind:<10} {r.url}"
            )
        lines.append(
            f"  {self.total_wire_bytes:>8} B wire  {self.total_compressed_bytes:>8} B gz"
            f"  (budget {PAGE_BUDGET_BYTES} B compressed)"
        )
        if self.external:
            lines.append(f"  not measured, other origins: {', '.join(self.external)}")
        return "\n".join(lines)


class _LinkedResources(HTMLParser):
    """The subresources an HTML document makes a browser download: stylesheets, scripts, images, icons,
    preloads. ``<img srcset>`` and ``<picture>`` sources are not followed (the ``src`` is counted)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        rel = set(a.get("rel", "").lower().split())
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        elif tag == "link" and a.get("href"):
            if "stylesheet" in rel and "alternate" not in rel:
                self.found.append(("stylesheet", a["href"]))
            elif rel & {"icon", "shortcut"}:
                self.found.append(("icon", a["href"]))
            elif rel & {"preload", "modulepreload"}:
                self.found.append(("preload", a["href"]))
        elif tag == "script" and a.get("src"):
            self.found.append(("script", a["src"]))
        elif tag == "img" and a.get("src"):
            self.found.append(("image", a["src"]))


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _fetch(session: requests.Session, url: str, kind: str) -> tuple[ResourceWeight, bytes, str]:
    with session.get(url, stream=True, timeout=30) as response:
        raw = response.raw.read(decode_content=False)
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        if encoding == "gzip":
            body = gzip.decompress(raw)
        elif encoding == "deflate":
            body = zlib.decompress(raw)
        elif encoding in ("", "identity"):
            body, encoding = raw, ""
        else:
            raise AssertionError(
                f"{url} came back with Content-Encoding {encoding!r}; only gzip was accepted"
            )
        weight = ResourceWeight(
            url=response.url,
            kind=kind,
            status=response.status_code,
            content_type=response.headers.get("Content-Type", "").split(";")[0].strip().lower(),
            content_encoding=encoding,
            wire_bytes=len(raw),
            decoded_bytes=len(body),
        )
        return weight, body, response.encoding or "utf-8"


def page_weight(
    url: str, *, exclude: Iterable[str] = (), cookies: dict[str, str] | None = None
) -> PageWeight:
    """Fetch a page as a browser's first visit does (``Accept-Encoding: gzip``, empty cache) with every
    same-origin stylesheet, script, image, icon and preload it links, and the ``@import`` and ``url()`` its
    stylesheets reference; measure each one's bytes over the wire. ``exclude``: path prefixes not counted
    (user files). ``cookies``: for a page behind sign-in, the browser's (``page.context.cookies()``).
    A resource that does not answer 200 fails the test."""
    excluded = tuple(exclude)
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the live server is local
    if cookies:  # a signed-in page: the browser's session cookie (a jar would not match "localhost")
        session.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    session.headers.update(
        {
            "Accept-Encoding": "gzip",
            "Accept-Language": "vi-VN,vi;q=0.9",
            "User-Agent": "motcua-e2e page_weight (Mozilla/5.0; like Chrome)",
        }
    )
    document, html, charset = _fetch(session, url, "document")
    result = PageWeight(url=document.url)
    failures: list[str] = []
    seen: set[str] = {document.url}
    bodies: dict[str, bytes] = {document.url: html}
    result.resources.append(document)
    if document.status != 200:
        failures.append(f"{document.status} {document.url}")

    parser = _LinkedResources()
    parser.feed(html.decode(charset, errors="replace"))
    base = urljoin(document.url, parser.base) if parser.base else document.url
    queue: list[tuple[str, str]] = [(kind, urljoin(base, href)) for kind, href in parser.found]

    while queue:
        kind, link = queue.pop(0)
        link = urldefrag(link).url
        if not link or link.startswith(("data:", "blob:", "about:", "javascript:")) or link in seen:
            continue
        seen.add(link)
        if _origin(link) != _origin(document.url):
            result.external.append(link)
            continue
        if urlsplit(link).path.startswith(excluded):
            continue
        resource, body, resource_charset = _fetch(session, link, kind)
        result.resources.append(resource)
        bodies[resource.url] = body
        if resource.status != 200:
            failures.append(f"{resource.status} {resource.url} ({kind})")
        elif resource.content_type == "text/css":
            for match in _CSS_REFERENCE.finditer(body.decode(resource_charset, errors="replace")):
                nested_kind = "css-import" if match.group("import") else "css-url"
                queue.append(
                    (nested_kind, urljoin(resource.url, match.group("import") or match.group("url")))
                )

    for resource in result.uncompressed_text:
        result._gzip_sizes[resource.url] = len(gzip.compress(bodies[resource.url], compresslevel=6, mtime=0))
    if failures:
        pytest.fail(f"page_weight({url}): resources that did not answer 200:\n  " + "\n  ".join(failures))
    WEIGHTS_MEASURED.append(result)
    return result
