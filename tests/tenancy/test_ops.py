from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings


def test_deploy_checks_pass_with_production_settings():
    # Only the documented variables: the HTTPS redirect, HSTS and secure cookies are defaults.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "DEBUG"))
    }
    env |= {
        "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "vigia.example.com",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this same run
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _static_root(env: dict[str, str]) -> Path:
    script = "from django.conf import settings; print(settings.STATIC_ROOT)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(result.stdout.strip())


def test_the_compose_setup_serves_the_static_files_collected_in_the_image():
    base = Path(settings.BASE_DIR)
    assert "collectstatic" in (base / "Dockerfile").read_text()
    compose = yaml.safe_load((base / "docker-compose.yml").read_text())
    app = compose["services"]["web"]
    environment = {key: str(value) for key, value in app["environment"].items()}
    # The image collects the files without the compose's environment...
    built = _static_root({"SECRET_KEY": "build"})
    # ...and the web container looks for them with it, beside its mounted volumes.
    served = _static_root(environment)
    assert served == built
    for volume in app.get("volumes", []):
        mount = Path(volume.split(":")[1])
        assert not served.is_relative_to(mount), f"{volume} hides the collected static files"


def test_the_compose_setup_refuses_to_start_without_a_secret_key():
    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat"):
        secret = str(compose["services"][name]["environment"]["SECRET_KEY"])
        # ${VAR:?message} makes `docker compose` stop with the message when VAR is unset or empty.
        assert secret.startswith("${SECRET_KEY:?"), secret
