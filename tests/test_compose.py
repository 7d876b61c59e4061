"""Every compose file is valid Compose (the official schema) and follows the kit's own rules.

No Docker engine runs in CI, so this is how the compose files are checked; the commands
their containers run are exercised natively by each wrapper's tests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO.parent / "shared" / "schemas" / "compose-spec.json"
COMPOSE_FILES = sorted((REPO / "compose").glob("*.yml"))
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+]([^}]*))?\}")
ENV_EXAMPLE = dict(
    line.split("=", 1) for line in (REPO / ".env.example").read_text().splitlines() if re.match(r"^[A-Z_]+=", line)
)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def resolve(text: str) -> str:
    """Interpolate ${VAR}, ${VAR:-default} as docker compose would with .env copied from .env.example."""
    return VAR.sub(lambda m: ENV_EXAMPLE.get(m.group(1)) or (m.group(2) or ""), text)


def services(path: Path) -> dict:
    return load(path).get("services", {})


def default_services(path: Path) -> dict:
    """The services `docker compose up` starts without any --profile."""
    return {n: s for n, s in services(path).items() if not s.get("profiles")}


def host_ports(path: Path) -> list[tuple[str, str, str]]:
    """(service, host ip, host port) of every published port."""
    out = []
    for name, service in services(path).items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                out.append((name, str(port.get("host_ip", "")), resolve(str(port.get("published", "")))))
                continue
            parts = resolve(str(port)).split(":")
            ip = parts[0] if len(parts) == 3 else ""
            out.append((name, ip, parts[-2] if len(parts) >= 2 else ""))
    return out


def test_there_are_compose_files():
    assert COMPOSE_FILES, "compose/*.yml: no compose file found"


def test_the_schema_is_beside_the_repo():
    assert SCHEMA.exists(), f"{SCHEMA} missing: the clone must have shared/ beside it"


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
class TestComposeFile:
    def test_valid_against_compose_spec(self, path):
        jsonschema.validate(load(path), json.loads(SCHEMA.read_text()), cls=jsonschema.Draft7Validator)

    def test_images_are_pinned(self, path):
        for name, service in services(path).items():
            image = service.get("image")
            if image is None:
                assert "build" in service, f"{path.name}: service {name} has neither image nor build"
                continue
            image = resolve(image)
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            assert "@sha256:" in image or (tag and tag != "latest"), f"{path.name}: {name} image {image!r} is not pinned"

    def test_bind_mounted_paths_exist(self, path):
        for name, service in services(path).items():
            for volume in service.get("volumes", []):
                source = volume.get("source") if isinstance(volume, dict) else resolve(volume).split(":")[0]
                if source and source.startswith((".", "/")) and "docker.sock" not in source:
                    assert (path.parent / source).resolve().exists(), f"{path.name}: {name} mounts missing {source}"

    def test_data_folder_is_mounted(self, path):
        mounts = [v if isinstance(v, str) else v.get("source", "") for s in services(path).values() for v in s.get("volumes", [])]
        assert any(re.match(r"^\.\./data(:|/|$)", str(m)) for m in mounts), f"{path.name}: the repo's data/ is not mounted"

    def test_ports_bound_to_localhost(self, path):
        for name, ip, port in host_ports(path):
            assert ip == "127.0.0.1", f"{path.name}: {name} publishes {port} on {ip or 'all interfaces'}, not 127.0.0.1"

    def test_every_variable_is_in_env_example(self, path):
        used = set(VAR.findall(path.read_text()))
        missing = sorted(name for name, _ in used if name not in ENV_EXAMPLE)
        assert not missing, f"{path.name}: variables not in .env.example: {missing}"

    def test_no_docker_socket_by_default(self, path):
        for name, service in default_services(path).items():
            for volume in service.get("volumes", []):
                assert "docker.sock" not in str(volume), f"{path.name}: {name} mounts the Docker socket outside a profile"

    def test_long_running_services_have_healthchecks(self, path):
        for name, service in services(path).items():
            one_shot = service.get("restart") in ("no", '"no"', None) and "command" in service and name.endswith("init")
            assert one_shot or "healthcheck" in service, f"{path.name}: {name} has no healthcheck"

    def test_depends_on_waits_for_health(self, path):
        for name, service in services(path).items():
            depends = service.get("depends_on", {})
            assert isinstance(depends, dict), f"{path.name}: {name} depends_on must give a condition"
            for other, rule in depends.items():
                assert rule.get("condition") in ("service_healthy", "service_completed_successfully"), (
                    f"{path.name}: {name} waits for {other} without a health condition"
                )


def test_host_ports_are_unique_across_files():
    seen: dict[str, str] = {}
    for path in COMPOSE_FILES:
        for name, _, port in host_ports(path):
            where = f"{path.name}:{name}"
            assert port not in seen, f"host port {port} used by {seen[port]} and {where}"
            seen[port] = where
