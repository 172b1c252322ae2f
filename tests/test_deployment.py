"""docker-compose.yml and the Dockerfile, checked without a Docker engine (none runs here): the
file is well-formed, every variable it sets is a setting the service reads, and the commands it
runs are real commands of ours."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from typer.testing import CliRunner

from core.settings import Settings
from madoguchi.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_should_define_the_database_chat_and_admin_services_with_health_checks() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"db", "chat", "admin"}
    assert all("healthcheck" in s for s in services.values())
    assert "pgdata" in COMPOSE["volumes"]
    assert COMPOSE["networks"]["internal"]["internal"] is True
    assert services["admin"]["networks"] == ["internal"]
    assert all(port.startswith("127.0.0.1:") for port in services["admin"]["ports"])


def test_every_variable_set_is_a_setting_the_service_reads() -> None:
    known = set(Settings.names())
    for name in ("chat", "admin"):
        for variable in COMPOSE["services"][name]["environment"]:
            assert variable in known, f"{name} sets {variable}, which no setting reads"


def test_the_settings_in_compose_parse() -> None:
    environment = {
        k: v.replace("${MADOGUCHI_DB_PASSWORD:-change-me}", "pw")
        .replace("${MADOGUCHI_CORS_ORIGINS:-https://www.pref.osaka.lg.jp}", "https://www.pref.osaka.lg.jp")
        .replace("${MADOGUCHI_TRUSTED_PROXIES:-}", "")
        for k, v in COMPOSE["services"]["chat"]["environment"].items()
    }
    settings = Settings.from_env(environment)
    assert settings.database_url.startswith("postgresql+psycopg://") and settings.admin_enabled is False
    assert settings.cors_origins == ("https://www.pref.osaka.lg.jp",)
    assert settings.trusted_proxies == ()  # X-Forwarded-For ignored unless the operator names the proxies


def test_the_commands_it_runs_exist() -> None:
    runner = CliRunner()
    for name in ("chat", "admin"):
        command = COMPOSE["services"][name]["command"]
        assert command[0] == "madoguchi"
        result = runner.invoke(app, [*command[1:2], "--help"])
        assert result.exit_code == 0, result.output
        for option in (c for c in command[2:] if c.startswith("--")):
            assert option in result.output
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["madoguchi", "serve"' in dockerfile and "HEALTHCHECK" in dockerfile


def test_the_image_copies_every_package_it_installs() -> None:
    """pip installs what pyproject's package list finds in the build folder: a package the
    Dockerfile does not copy is silently missing from the image (core/ and madoguchi/ once were)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        pattern.rstrip("*") for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    assert packages == {"shared_nlu", "core", "chat_platform", "admin", "madoguchi"}
    assert packages <= copied, f"the Dockerfile does not copy {sorted(packages - copied)}"


def test_madoguchi_serve_starts_and_serves_widget_api_and_admin(tmp_path) -> None:
    """What `make run` runs, for real: a process on a free port, on a fresh SQLite database."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the defaults of a fresh checkout: a SQLite file under var/ that does not exist yet
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env["MADOGUCHI_BOTS_DIR"] = str(ROOT / "bots")
    command = [str(Path(sys.executable).parent / "madoguchi"), "serve", "--port", str(port)]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            time.sleep(0.5)
        else:
            raise AssertionError("madoguchi serve did not become ready within 90 s")
        assert len(httpx.get(f"{base}/api/v1/bots").json()["bots"]) == 6
        assert "madoguchi-widget.js" in httpx.get(f"{base}/").text
        assert httpx.get(f"{base}/admin/").status_code == 200
        assert (tmp_path / "var" / "madoguchi.db").is_file()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
