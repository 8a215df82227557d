"""Security headers: the Content-Security-Policy, HSTS and the HTTPS redirect in production
mode, and no-store on the pages of logged-in users."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import reverse

from tenancy.middleware import NoStoreForUsersMiddleware
from tests.factories import ClientFactory

PRODUCTION_KEY = "production-secret-key-with-enough-entropy-0123456789-abcdefghij"


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_it_sends_a_policy_without_inline_script(client, db):
    directives = _directives(client.get(reverse("login")))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]


def test_it_sends_the_policy_on_the_back_office_pages(bob_client):
    response = bob_client.get(reverse("dashboard"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_admin_allows_only_the_hashed_inline_code_it_carries(admin_client):
    directives = _directives(admin_client.get(reverse("admin:index")))
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    allowed = ("'self'", "'unsafe-hashes'", "'sha256-")
    assert all(value.startswith(allowed) for value in directives["script-src"])
    assert all(value.startswith(allowed) for value in directives["style-src"])


def test_the_debug_error_pages_stay_readable(client, db, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Content-Security-Policy" not in response
    assert "Content-Security-Policy" in client.get(reverse("login"))


def test_htmx_is_configured_for_the_policy(bob_client):
    html = bob_client.get(reverse("dashboard")).text
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert match
    config = json.loads(match.group(1))
    assert config == {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}


def test_the_api_docs_load_only_our_own_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources
    assert all(source.startswith(settings.STATIC_URL) for source in sources), sources


def _served_templates() -> list[Path]:
    # E-mails and the PDF are not pages: a browser never applies the policy to them.
    root = Path(settings.BASE_DIR, "templates")
    return [
        path
        for path in root.rglob("*.html")
        if "email" not in path.parts and not path.name.startswith("procedure_pdf")
    ]


def test_no_page_template_carries_inline_script_or_style():
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\sstyle=|<style|"
        r"\son[a-z]+=|\shx-on|javascript:"
    )
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0).strip()}"
        for path in _served_templates()
        for match in inline.finditer(path.read_text())
    ]
    assert not found, found


def test_it_keeps_logged_in_pages_out_of_every_cache(bob_client, org_a):
    client = ClientFactory(organization=org_a)
    for url in (
        reverse("dashboard"),
        reverse("clients:list"),
        reverse("clients:edit", args=[client.code]),
    ):
        response = bob_client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("user", "path", "own", "expected"),
    [
        ("bob", "/clientes/", None, "no-store"),
        (None, "/clientes/", None, None),
        ("bob", "/static/css/vigia.css", None, None),
        ("bob", "/media/photo.jpg", None, None),
        ("bob", "/notificacoes/x/baixar/", "private, max-age=60", "private, max-age=60"),
    ],
)
def test_it_adds_no_store_only_for_logged_in_users(rf, bob, user, path, own, expected):
    def view(request):
        response = HttpResponse("ok")
        if own:
            response["Cache-Control"] = own
        return response

    request = rf.get(path)
    request.user = bob if user else AnonymousUser()
    cache_control = NoStoreForUsersMiddleware(view)(request).get("Cache-Control")
    if expected == "no-store":
        assert "no-store" in cache_control
    else:
        assert cache_control == expected


def test_it_redirects_to_https_and_sends_hsts_when_on(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    secure = client.get(reverse("login"), secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    # A proxy that terminated TLS says so in X-Forwarded-Proto.
    proxied = client.get(reverse("login"), headers={"x-forwarded-proto": "https"})
    assert proxied.status_code == 200


def _settings_in(env: dict[str, str], *names: str) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SECRET_KEY"))}
    base.pop("ALLOWED_HOSTS", None)
    base.pop("DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


NAMES = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE")


def test_production_mode_turns_on_the_redirect_and_hsts_by_default():
    done = _settings_in(
        {"SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "vigia.example.com"}, *NAMES
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SESSION_COOKIE_SECURE": True,
    }


def test_loopback_only_hosts_keep_plain_http_and_the_environment_overrides():
    # The test suite, CI and the benchmarks' gunicorn: DEBUG off, nothing else set.
    done = _settings_in({}, *NAMES)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["SECURE_SSL_REDIRECT"] is False
    assert json.loads(done.stdout)["SECURE_HSTS_SECONDS"] == 0
    forced = _settings_in(
        {
            "SECRET_KEY": PRODUCTION_KEY,
            "ALLOWED_HOSTS": "vigia.example.com",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
        },
        *NAMES,
    )
    assert json.loads(forced.stdout)["SECURE_SSL_REDIRECT"] is False
    assert json.loads(forced.stdout)["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.parametrize(
    "env",
    [{"ALLOWED_HOSTS": "vigia.example.com"}, {"CSRF_TRUSTED_ORIGINS": "https://vigia.example.com"}],
)
def test_production_mode_refuses_the_development_key(env):
    done = _settings_in(env, "SECRET_KEY")
    assert done.returncode != 0
    assert "SECRET_KEY is the development key" in done.stderr


def test_debug_accepts_the_development_key():
    done = _settings_in({"DEBUG": "true", "ALLOWED_HOSTS": "*"}, "SECURE_SSL_REDIRECT")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"SECURE_SSL_REDIRECT": False}
