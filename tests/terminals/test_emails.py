"""The procedure PDF: inline images are embedded, nothing outside our own static files is
ever fetched while rendering, and the sanitizer drops remote image sources."""

from __future__ import annotations

import base64
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from terminals.emails import PdfResourceFetcher, header_text, procedure_pdf
from terminals.models import DeviceType
from terminals.sanitize import sanitize_procedure
from tests.factories import TerminalFactory

pytestmark = pytest.mark.django_db


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _pdf_with_procedure(procedure: str) -> bytes:
    terminal = TerminalFactory()
    # Written past the sanitizer, as rows stored before it dropped remote sources are.
    DeviceType.objects.filter(pk=terminal.device_type_id).update(reconnection_procedure=procedure)
    terminal.device_type.refresh_from_db()
    return procedure_pdf(
        {
            "organization": terminal.organization,
            "terminal": terminal,
            "device_type": terminal.device_type,
        }
    )


def _image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    # WeasyPrint writes each image as an XObject stream, whose dictionary stays readable
    # (only dictionaries without a stream go into compressed object streams).
    sizes = []
    for dictionary in re.findall(
        rb"<<((?:(?!stream).)*?/Subtype ?/Image.*?)>>\s*stream", pdf, re.S
    ):
        width = re.search(rb"/Width (\d+)", dictionary)
        height = re.search(rb"/Height (\d+)", dictionary)
        sizes.append((int(width[1]), int(height[1])))
    return sizes


@pytest.fixture
def remote_server():
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's hook name
            hits.append(self.path)
            body = _png(5, 5)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_it_renders_a_procedure_with_an_embedded_image_into_the_pdf():
    procedure = sanitize_procedure(
        f'<ol><li>Reinicie o player.<img src="{_data_url(_png(7, 3))}" alt="passo 1"></li></ol>'
    )
    assert "data:image/png;base64," in procedure

    pdf = _pdf_with_procedure(procedure)

    assert pdf.startswith(b"%PDF")
    assert _image_sizes(pdf) == [(7, 3)]


def test_the_sanitizer_drops_remote_and_local_image_sources():
    procedure = sanitize_procedure(
        '<p><img src="https://example.com/a.png" alt="remoto">'
        '<img src="file:///etc/passwd"><img src="/static/css/vigia.css">'
        '<img src="data:text/html;base64,PGI+">'
        '<a href="https://example.com/manual">manual</a></p>'
    )

    assert "src=" not in procedure
    assert 'alt="remoto"' in procedure
    # Links are not fetched by anyone: they stay.
    assert 'href="https://example.com/manual"' in procedure


def test_it_never_fetches_a_remote_resource_while_rendering(remote_server):
    base, hits = remote_server
    assert "src=" not in sanitize_procedure(f'<img src="{base}/sanitized.png">')
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="4" height="4"><image xlink:href="{base}/in-svg.png" width="4" height="4"/></svg>'
    )
    svg_url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

    pdf = _pdf_with_procedure(
        f'<p><img src="{base}/stored.png"></p>'
        f'<link rel="stylesheet" href="{base}/style.css">'
        f'<p style="background: url({base}/background.png)">Ligue</p>'
        f'<img src="{svg_url}">'
        f'<img src="{_data_url(_png(2, 2))}">'
    )

    assert pdf.startswith(b"%PDF")
    assert (2, 2) in _image_sizes(pdf)
    assert hits == []


def test_it_embeds_our_own_static_files(settings, tmp_path):
    (tmp_path / "diagrama.png").write_bytes(_png(6, 4))
    settings.STATICFILES_DIRS = [tmp_path]

    pdf = _pdf_with_procedure('<img src="/static/diagrama.png">')

    assert _image_sizes(pdf) == [(6, 4)]


def test_the_fetcher_refuses_files_outside_the_static_folders():
    fetcher = PdfResourceFetcher()

    assert b"--" in fetcher.fetch("file:///static/css/vigia.css").read()
    for url in ["file:///etc/passwd", "file:///static/../../etc/passwd", "ftp://127.0.0.1/x"]:
        with pytest.raises(Exception):  # noqa: B017, PT011 - refused, whatever the reason
            fetcher.fetch(url)


def test_header_text_keeps_a_value_on_one_line():
    assert header_text(" Totem\r\nda\tentrada\x00\u2028 1 ") == "Totem da entrada 1"
