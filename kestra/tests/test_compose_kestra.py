"""compose/kestra.yml and kestra/Dockerfile: what the Kestra stack needs beyond tests/test_compose.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "compose" / "kestra.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (REPO / "kestra" / "Dockerfile").read_text(encoding="utf-8")
ENV = dict(
    line.split("=", 1) for line in (REPO / ".env.example").read_text().splitlines() if re.match(r"^[A-Z_]+=", line)
)


def config(service: str) -> dict:
    text = re.sub(
        r"\$\{(\w+)(?::-([^}]*))?\}",
        lambda m: ENV.get(m.group(1)) or m.group(2) or "",
        SERVICES[service]["environment"]["KESTRA_CONFIGURATION"],
    )
    return yaml.safe_load(text)


def test_standalone_server_preloads_the_flows():
    kestra = SERVICES["kestra"]
    assert kestra["command"] == "server standalone --flow-path /app/flows"
    assert "../kestra/flows:/app/flows:ro" in kestra["volumes"]
    assert "../data:/app/data" in kestra["volumes"]
    assert kestra["ports"] == ["127.0.0.1:${KESTRA_PORT:-8080}:8080"]


@pytest.mark.parametrize("service", ["kestra", "kestra-docker-runner"])
def test_postgres_backend_and_basic_auth_from_env(service):
    conf = config(service)
    assert conf["datasources"]["postgres"]["url"].startswith("jdbc:postgresql://postgres:5432/")
    assert conf["kestra"]["repository"]["type"] == conf["kestra"]["queue"]["type"] == "postgres"
    raw = SERVICES[service]["environment"]["KESTRA_CONFIGURATION"]
    assert "${KESTRA_ADMIN_EMAIL" in raw and "${KESTRA_ADMIN_PASSWORD" in raw and "${KESTRA_DB_PASSWORD" in raw


def test_dev_credentials_meet_kestras_rules():
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", ENV["KESTRA_ADMIN_EMAIL"]), "the username must be an e-mail"
    password = ENV["KESTRA_ADMIN_PASSWORD"]
    assert (
        len(password) >= 8
        and re.search("[A-Z]", password)
        and re.search("[a-z]", password)
        and re.search(r"\d", password)
    )


def test_healthcheck_uses_the_management_port():
    for name in ("kestra", "kestra-docker-runner"):
        assert "localhost:8081/health" in " ".join(SERVICES[name]["healthcheck"]["test"])


def test_docker_socket_and_docker_runner_only_in_the_profile():
    profiled = {n for n, s in SERVICES.items() if s.get("profiles")}
    assert profiled == {"kestra-docker-runner", "kestra-docker-runner-db-init", "pipeline-image-init"}
    assert all(s["profiles"] == ["docker-runner"] for n, s in SERVICES.items() if n in profiled)
    (default,) = config("kestra-docker-runner")["kestra"]["plugins"]["defaults"]
    assert default["type"] == "io.kestra.plugin.scripts.python.Commands" and default["forced"] is True
    assert default["values"]["taskRunner"]["type"] == "io.kestra.plugin.scripts.runner.docker.Docker"
    assert default["values"]["containerImage"] == SERVICES["pipeline-image-init"]["image"]
    assert "plugins" not in config("kestra")["kestra"], "the default stack uses the flows' Process runner"
    catalogue = yaml.safe_load((REPO / "kestra" / "tests" / "kestra_1_3_catalogue.yml").read_text(encoding="utf-8"))[
        "types"
    ]
    assert set(default["values"]) <= set(catalogue[default["type"]]["properties"])
    runner = default["values"]["taskRunner"]
    assert set(runner) <= set(catalogue[runner["type"]]["properties"])


def test_kit_image_is_built_from_a_pinned_kestra_1_3():
    froms = re.findall(r"^FROM (\S+) AS (\w+)", DOCKERFILE, re.M)
    assert dict((stage, image) for image, stage in froms).keys() == {"kestra", "pipeline"}
    kestra_image = next(image for image, stage in froms if stage == "kestra")
    assert re.fullmatch(r"kestra/kestra:v1\.3\.\d+", kestra_image)
    assert SERVICES["kestra"]["build"] == {"context": "..", "dockerfile": "kestra/Dockerfile", "target": "kestra"}
    assert DOCKERFILE.count("-c /opt/bottleneck/constraints.txt /opt/bottleneck/core kestra") == 2
    assert (REPO / "kestra" / ".python-version").read_text().strip() == "3.10"
