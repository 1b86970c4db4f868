"""PDF rendering with WeasyPrint.

Chinese text needs a CJK font named explicitly (without one WeasyPrint draws empty boxes),
also in the `@page` margin boxes, which do not inherit the body's font. WeasyPrint is
CPU-bound (~0.1–0.2 s a page with HarfBuzz subsetting), so the async entry point runs it in
a worker thread and the event loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.web.templating import TEMPLATE_DIR, configure_environment

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)

BASE_CSS = f"""
@page {{
  size: A4;
  margin: 16mm 15mm 18mm;
  @bottom-center {{
    content: counter(page) " / " counter(pages);
    font-family: {FONT_FAMILY};
    font-size: 8pt;
    color: #6b7385;
  }}
}}
html {{ font-family: {FONT_FAMILY}; font-size: 10pt; color: #1d2433; line-height: 1.45; }}
h1 {{ font-size: 16pt; margin: 0 0 4mm; }}
h2 {{ font-size: 12pt; margin: 6mm 0 2mm; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ text-align: left; padding: 1.6mm 2mm; border-bottom: 0.3mm solid #e3e6ee; }}
th {{ font-weight: 700; background: #f5f6fa; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.muted {{ color: #6b7385; }}
.total td {{ font-weight: 700; border-top: 0.5mm solid #1d2433; }}
"""


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )
    configure_environment(env)
    env.globals["PDF_FONT_FAMILY"] = FONT_FAMILY
    return env


def render_html(template_name: str, **context: Any) -> str:
    """The document's HTML in the current locale (gettext reads the request's locale)."""
    return _environment().get_template(template_name).render(**context)


def render_pdf(html: str, *, extra_css: str = "") -> bytes:
    """PDF bytes of an HTML document, with the CJK font and the house page layout."""
    from weasyprint import CSS, HTML  # heavy import: only where PDFs are made
    from weasyprint.urls import URLFetcher

    # Documents carry guest-typed text: a PDF never reaches the network or the disk, it
    # loads only inline `data:` images (QR codes).
    fetcher = URLFetcher(allowed_protocols={"data"})

    stylesheets = [CSS(string=BASE_CSS)]
    if extra_css:
        stylesheets.append(CSS(string=extra_css))
    document = HTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=stylesheets)
    assert pdf is not None
    return bytes(pdf)


async def render_template_pdf(template_name: str, **context: Any) -> bytes:
    """Render a Jinja template to PDF off the event loop.

    The HTML is rendered here (so gettext sees the caller's locale); only WeasyPrint's
    layout runs in the thread."""
    html = render_html(template_name, **context)
    return await asyncio.to_thread(render_pdf, html)
