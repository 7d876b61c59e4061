"""Every compose file is valid Compose, starts from a fresh clone, and follows the kit's rules.

No Docker engine runs here, so the files are checked the way Compose itself reads them:
:func:`render` implements Compose's interpolation (``$VAR``, ``${VAR}``, ``${VAR:-d}``,
``${VAR-d}``, ``${VAR:?err}``, ``${VAR?err}``, ``${VAR:+r}``, ``$$``, nested defaults) with
the project directory = the compose file's folder, so the ``.env`` that counts is
``compose/.env``; the shell's environment wins over it. Each file is rendered with no env file
(a fresh clone), with ``.env.example`` copied to ``compose/.env`` (the documented override)
and with overrides, and validated against the official Compose Specification schema. The
Docker workflow (.github/workflows/compose.yml) is what starts the stacks for real.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO.parent / "shared" / "schemas" / "compose-spec.json"
COMPOSE_DIR = REPO / "compose"
# The four stacks; each includes warehouse.yml (MinIO + the warehouse PostgreSQL), which is
# checked as part of every stack, never started alone.
WAREHOUSE_FILE = COMPOSE_DIR / "warehouse.yml"
COMPOSE_FILES = sorted(p for p in COMPOSE_DIR.glob("*.yml") if p != WAREHOUSE_FILE)
SHARED_SERVICES = {"mailpit", "minio", "warehouse-db"}  # the same services, same ports, in every stack
ENV_EXAMPLE = REPO / ".env.example"
# The only variables allowed to be empty once rendered: empty means "off".
MAY_BE_EMPTY = {"BOTTLENECK_ALERT_WEBHOOK"}
# Provided by the student's shell (POSIX shells export it), not by .env: the docker-runner
# profile's default host path of data/.
SHELL_VARIABLES = {"PWD"}
WRAPPER_CODE = {  # compose file -> the wrapper folder students edit, bind-mounted
    "kestra.yml": "../kestra/flows",
    "airflow.yml": "../airflow/dags",
    "dagster.yml": "../dagster/src",
    "prefect.yml": "../prefect/flows",
}
MAILPIT_IMAGE = re.compile(r"axllent/mailpit:v\d+\.\d+\.\d+")
SMTP_CONTRACT = {"BOTTLENECK_SMTP_HOST": "mailpit", "BOTTLENECK_SMTP_PORT": "1025"}
CORE_ENVIRONMENT = (
    "BOTTLENECK_LANG",
    "BOTTLENECK_ALERT_WEBHOOK",
    "BOTTLENECK_ALERT_EMAIL_TO",
    "BOTTLENECK_ALERT_EMAIL_FROM",
)
HOST_USER = "${HOST_UID:-1000}"
# What core's warehouse module reads (core/src/bottleneck_core/warehouse/settings.py), inside a stack.
WAREHOUSE_CONTRACT = {
    "BOTTLENECK_S3_ENDPOINT": "http://minio:9000",
    "BOTTLENECK_S3_ACCESS_KEY": "bottleneck",
    "BOTTLENECK_S3_SECRET_KEY": "bottleneck-dev-only",
    "BOTTLENECK_WAREHOUSE_URL": "postgresql://warehouse:warehouse-dev@warehouse-db:5432/warehouse",
}


# --- Compose's interpolation --------------------------------------------------------------


class InterpolationError(ValueError):
    pass


class Resolver:
    """Interpolate strings as Compose does; remember every variable read and what it gave."""

    NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    BRACED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?", re.S)

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.seen: list[tuple[str, str | None, str]] = []  # (name, value in env or None, result)

    def __call__(self, text: str) -> str:
        out, i = [], 0
        while i < len(text):
            if text[i] != "$":
                out.append(text[i])
                i += 1
                continue
            nxt = text[i + 1 : i + 2]
            if nxt == "$":  # $$ is a literal $
                out.append("$")
                i += 2
            elif nxt == "{":
                depth, j = 1, i + 2
                while j < len(text) and depth:
                    depth += {"{": 1, "}": -1}.get(text[j], 0)
                    j += 1
                if depth:
                    raise InterpolationError(f"unclosed ${{ in {text!r}")
                out.append(self._braced(text[i + 2 : j - 1]))
                i = j
            elif m := self.NAME.match(text, i + 1):
                out.append(self._plain(m.group()))
                i = m.end()
            else:
                raise InterpolationError(f"invalid interpolation format in {text!r}: use $$ for a literal $")
        return "".join(out)

    def _plain(self, name: str) -> str:
        value = self.env.get(name)
        self.seen.append((name, value, value or ""))
        return value or ""

    def _braced(self, body: str) -> str:
        m = self.BRACED.fullmatch(body)
        if not m:
            raise InterpolationError(f"invalid interpolation format: ${{{body}}}")
        name, op, arg = m.groups()
        value = self.env.get(name)
        if op is None:
            result = value or ""
        elif op in (":-", "-"):
            use_default = value is None or (op == ":-" and value == "")
            result = self(arg) if use_default else value
        elif op in (":?", "?"):
            if value is None or (op == ":?" and value == ""):
                raise InterpolationError(f"required variable {name} is missing a value: {arg}")
            result = value
        else:  # ":+" / "+": the replacement when set
            is_set = value is not None and (op == "+" or value != "")
            result = self(arg) if is_set else ""
        self.seen.append((name, value, result))
        return result

    def tree(self, node):
        """Compose interpolates every string value of the parsed YAML (not the keys)."""
        if isinstance(node, dict):
            return {k: self.tree(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.tree(v) for v in node]
        return self(node) if isinstance(node, str) else node


def parse_env_file(text: str, environ: dict[str, str]) -> dict[str, str]:
    """Compose's .env format: KEY=VALUE, optional `export`, # comments, quotes, interpolation."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)", line)
        assert m, f"not a KEY=VALUE line: {line!r}"
        key, raw = m.groups()
        resolver = Resolver({**values, **environ})
        if raw[:1] == "'" and raw.rfind("'") > 0:
            value = raw[1 : raw.rfind("'")]
        elif raw[:1] == '"' and raw.rfind('"') > 0:
            value = resolver(raw[1 : raw.rfind('"')].replace('\\"', '"').replace("\\n", "\n"))
        else:
            value = resolver(re.sub(r"\s+#.*$", "", raw).strip())
        values[key] = value
    return values


def render(path: Path, environ: dict[str, str], env_file: str | None) -> tuple[dict, Resolver]:
    """The model `docker compose -f compose/<file> config` would build: environ wins over .env."""
    env = {**(parse_env_file(env_file, environ) if env_file is not None else {}), **environ}
    resolver = Resolver(env)
    return resolver.tree(load(path)), resolver


SHELL = {"PWD": str(REPO)}  # a student's shell at the repository root, nothing exported
OVERRIDES = (
    "HOST_UID=1234\nHOST_GID=2345\nKESTRA_PORT=18080\nAIRFLOW_PORT=18082\nDAGSTER_PORT=13000\n"
    "PREFECT_PORT=14200\nMAILPIT_PORT=18025\nBOTTLENECK_LANG=fr\n"
)
SCENARIOS = {
    "fresh-clone": None,  # no compose/.env at all
    "env-example": ENV_EXAMPLE.read_text(encoding="utf-8"),  # cp .env.example compose/.env
    "overrides": OVERRIDES,
}


# --- helpers ------------------------------------------------------------------------------


def load(path: Path) -> dict:
    """A compose file with its `include`s merged in, as Compose does (a name defined twice is an error)."""
    model = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in model.pop("include", []):
        included = load(path.parent / (entry if isinstance(entry, str) else entry["path"]))
        for section in ("services", "volumes", "networks"):
            clash = set(model.get(section) or {}) & set(included.get(section) or {})
            assert not clash, f"{path.name}: {section} {sorted(clash)} defined twice"
            if included.get(section):
                model.setdefault(section, {}).update(included[section])
    return model


def services(model: dict) -> dict:
    return model.get("services", {})


def default_services(model: dict) -> dict:
    """The services `docker compose up` starts without any --profile."""
    return {n: s for n, s in services(model).items() if not s.get("profiles")}


def environment(service: dict) -> dict:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def mounts(service: dict) -> list[tuple[str, str]]:
    out = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            out.append((str(volume.get("source", "")), str(volume.get("target", ""))))
        else:
            parts = volume.split(":")
            out.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return out


def host_ports(model: dict) -> list[tuple[str, str, str]]:
    """(service, host ip, host port) of every published port of a rendered model."""
    out = []
    for name, service in services(model).items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                out.append((name, str(port.get("host_ip", "")), str(port.get("published", ""))))
                continue
            parts = str(port).split(":")
            out.append((name, parts[0] if len(parts) == 3 else "", parts[-2] if len(parts) >= 2 else ""))
    return out


def runs_core(name: str, service: dict) -> bool:
    """Containers of the kit's own images (core installed), not postgres/mailpit/Prefect's server."""
    return "build" in service or str(service.get("image", "")).startswith("bottleneck-")


def env_example_names() -> set[str]:
    """Variables .env.example documents, set (KEY=) or shown commented out (# KEY=)."""
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M))


# --- the interpolation itself -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${A}", {"A": "x"}, "x"),
        ("$A/b", {"A": "x"}, "x/b"),
        ("${A}", {}, ""),
        ("${A:-d}", {}, "d"),
        ("${A:-d}", {"A": ""}, "d"),
        ("${A-d}", {"A": ""}, ""),
        ("${A-d}", {}, "d"),
        ("${A:-d}", {"A": "x"}, "x"),
        ("${A:+r}", {"A": "x"}, "r"),
        ("${A:+r}", {"A": ""}, ""),
        ("${A+r}", {"A": ""}, "r"),
        ("$${A}", {"A": "x"}, "${A}"),
        ("$$A and $$$$", {}, "$A and $$"),
        ("${A:-${B}/data}", {"B": "/home/me"}, "/home/me/data"),
        ("${A:--Xmx1g}", {}, "-Xmx1g"),
        ("${A:?set A}", {"A": "x"}, "x"),
    ],
)
def test_interpolation_follows_compose(text, env, expected):
    assert Resolver(env)(text) == expected


@pytest.mark.parametrize(
    ("text", "env"), [("${A:?set A}", {}), ("${A:?set A}", {"A": ""}), ("${A?set A}", {}), ("$ 1", {}), ("${A", {})]
)
def test_interpolation_errors_like_compose(text, env):
    with pytest.raises(InterpolationError):
        Resolver(env)(text)


def test_env_file_format():
    text = "# comment\nexport A=1\nB='${A} raw'\nC=\"${A} cooked\"\nD=x # inline comment\nE=\nF=${A}-${Z:-z}\n"
    assert parse_env_file(text, {}) == {"A": "1", "B": "${A} raw", "C": "1 cooked", "D": "x", "E": "", "F": "1-z"}


def test_the_shell_wins_over_the_env_file():
    model, _ = render(COMPOSE_DIR / "prefect.yml", {**SHELL, "PREFECT_PORT": "9999"}, "PREFECT_PORT=1111\n")
    assert "127.0.0.1:9999:4200" in model["services"]["prefect-server"]["ports"]


# --- every file, in every scenario -----------------------------------------------------


def test_there_are_compose_files():
    assert {p.name for p in COMPOSE_FILES} == set(WRAPPER_CODE), "compose/*.yml: one file per orchestrator"
    for path in COMPOSE_FILES:
        assert yaml.safe_load(path.read_text())["include"] == ["warehouse.yml"], path.name


def test_the_warehouse_services():
    """MinIO and the warehouse PostgreSQL: pinned, on loopback, with their own volumes; the
    warehouse database is not the orchestrator's metadata database."""
    model, _ = render(COMPOSE_DIR / "prefect.yml", SHELL, None)
    minio, db = model["services"]["minio"], model["services"]["warehouse-db"]
    assert re.fullmatch(r"minio/minio:RELEASE\.\d{4}-\d\d-\d\dT[\dZ-]+", minio["image"]), minio["image"]
    assert minio["ports"] == ["127.0.0.1:9000:9000", "127.0.0.1:9001:9001"]
    assert minio["environment"] == {"MINIO_ROOT_USER": "bottleneck", "MINIO_ROOT_PASSWORD": "bottleneck-dev-only"}
    assert db["ports"] == ["127.0.0.1:5433:5432"] and db["environment"]["POSTGRES_DB"] == "warehouse"
    assert {"minio-data", "warehouse-db"} <= set(model["volumes"])


def test_the_warehouse_follows_compose_env():
    model, _ = render(
        COMPOSE_DIR / "dagster.yml", SHELL, "BOTTLENECK_S3_SECRET_KEY=s3cret-key\nWAREHOUSE_DB_PASSWORD=pw\n"
    )
    assert model["services"]["minio"]["environment"]["MINIO_ROOT_PASSWORD"] == "s3cret-key"
    env = environment(model["services"]["user-code"])
    assert env["BOTTLENECK_S3_SECRET_KEY"] == "s3cret-key"
    assert env["BOTTLENECK_WAREHOUSE_URL"] == "postgresql://warehouse:pw@warehouse-db:5432/warehouse"


def test_the_schema_is_beside_the_repo():
    assert SCHEMA.exists(), f"{SCHEMA} missing: the clone must have shared/ beside it"


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
class TestRendered:
    def test_no_variable_is_missing_or_empty(self, path, scenario):
        _, resolver = render(path, SHELL, SCENARIOS[scenario])
        empty = sorted({name for name, _, result in resolver.seen if result == "" and name not in MAY_BE_EMPTY})
        assert not empty, f"{path.name} ({scenario}): variables that would be empty: {empty}"

    def test_valid_against_compose_spec(self, path, scenario):
        model, _ = render(path, SHELL, SCENARIOS[scenario])
        jsonschema.validate(model, json.loads(SCHEMA.read_text()), cls=jsonschema.Draft7Validator)

    def test_bind_mounted_paths_exist(self, path, scenario):
        model, _ = render(path, SHELL, SCENARIOS[scenario])
        for name, service in services(model).items():
            for source, _ in mounts(service):
                if source.startswith((".", "/")) and "docker.sock" not in source:
                    assert (path.parent / source).resolve().exists(), f"{path.name}: {name} mounts missing {source}"
        if path.name == "kestra.yml":  # the host path the docker-runner profile gives the Docker daemon
            conf = yaml.safe_load(environment(model["services"]["kestra-docker-runner"])["KESTRA_CONFIGURATION"])
            (volume,) = conf["kestra"]["plugins"]["defaults"][0]["values"]["taskRunner"]["volumes"]
            host = Path(volume.rsplit(":", 1)[0])
            assert host.is_absolute() and host.exists() and host.name == "data", volume

    def test_env_values_are_never_empty(self, path, scenario):
        model, _ = render(path, SHELL, SCENARIOS[scenario])
        for name, service in services(model).items():
            for key, value in environment(service).items():
                assert value not in (None, "") or key in MAY_BE_EMPTY, f"{path.name}: {name} gets an empty {key}"

    def test_ports_bound_to_localhost(self, path, scenario):
        model, _ = render(path, SHELL, SCENARIOS[scenario])
        for name, ip, port in host_ports(model):
            assert ip == "127.0.0.1", f"{path.name}: {name} publishes {port} on {ip or 'all interfaces'}, not 127.0.0.1"
            assert port.isdigit(), f"{path.name}: {name} publishes {port!r}"


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_overrides_in_compose_env_take_effect(path):
    """compose/.env is really read: ports, the host user and the language follow it."""
    model, _ = render(path, SHELL, OVERRIDES)
    ports = {port for _, _, port in host_ports(model)}
    assert "18025" in ports and "8025" not in ports
    assert ports & {"18080", "18082", "13000", "14200"}, ports
    for name, service in services(model).items():
        if runs_core(name, service) and not name.endswith("-init"):
            assert environment(service)["BOTTLENECK_LANG"] == "fr", name
            if service.get("user") not in (None, "root", "0:0"):
                assert service["user"].startswith("1234"), f"{name}: {service['user']}"


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
class TestKitRules:
    def test_every_variable_is_documented_in_env_example(self, path):
        _, resolver = render(path, SHELL, None)
        missing = sorted({name for name, *_ in resolver.seen} - env_example_names() - SHELL_VARIABLES)
        assert not missing, f"{path.name}: variables not in .env.example: {missing}"

    def test_every_variable_has_a_default(self, path):
        """A fresh clone has no .env: each ${VAR} must carry its own default (or be allowed empty)."""
        _, resolver = render(path, {}, None)
        bare = sorted({name for name, _, result in resolver.seen if result == ""} - MAY_BE_EMPTY - SHELL_VARIABLES)
        assert not bare, f"{path.name}: no default for {bare}"

    def test_images_are_pinned(self, path):
        model, _ = render(path, SHELL, None)
        for name, service in services(model).items():
            image = service.get("image")
            if image is None:
                assert "build" in service, f"{path.name}: service {name} has neither image nor build"
                continue
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            assert "@sha256:" in image or (tag and tag != "latest"), (
                f"{path.name}: {name} image {image!r} is not pinned"
            )

    def test_data_folder_is_mounted(self, path):
        model, _ = render(path, SHELL, None)
        assert any(source == "../data" for s in services(model).values() for source, _ in mounts(s)), path.name

    def test_wrapper_code_is_bind_mounted(self, path):
        """Students' edits apply without rebuilding an image."""
        model, _ = render(path, SHELL, None)
        sources = {source for s in default_services(model).values() for source, _ in mounts(s)}
        assert WRAPPER_CODE[path.name] in sources, f"{path.name}: {WRAPPER_CODE[path.name]} is not mounted"

    def test_one_host_user_writes_data(self, path):
        """Every container that mounts data/ runs as HOST_UID, so stacks, the native CLI and
        `make clean` can follow each other on one data/ folder (Airflow's image needs group 0)."""
        raw = load(path)
        for name, service in services(raw).items():
            if not any(source == "../data" for source, _ in mounts(service)):
                continue
            if name == "kestra-docker-runner":  # root for the Docker socket; its steps run in task containers
                build = services(raw)["pipeline-image-init"]["build"]
                assert build["args"] == {"HOST_UID": "${HOST_UID:-1000}", "HOST_GID": "${HOST_GID:-1000}"}
                continue
            user = str(service.get("user", ""))
            group = "0" if path.name == "airflow.yml" else "${HOST_GID:-1000}"
            assert user == f"{HOST_USER}:{group}", f"{path.name}: {name} writes data/ as {user or 'the image user'}"
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"AIRFLOW_UID|PREFECT_UID|50000", text), f"{path.name}: one user variable, HOST_UID"
        for chown in re.findall(r"chown[^\n]*", text):
            assert "${HOST_UID:-1000}" in chown and "data" not in chown, f"{path.name}: {chown}"

    def test_mailpit_inbox(self, path):
        model, _ = render(path, SHELL, None)
        mailpit = services(model)["mailpit"]
        assert MAILPIT_IMAGE.fullmatch(mailpit["image"]), mailpit["image"]
        assert mailpit["ports"] == ["127.0.0.1:8025:8025"], "the UI only; SMTP 1025 stays on the stack network"
        assert "readyz" in " ".join(mailpit["healthcheck"]["test"])
        assert "mailpit" in load(path)["services"] and "${MAILPIT_PORT:-8025}" in path.read_text()

    def test_core_containers_get_the_alert_environment(self, path):
        model, _ = render(path, SHELL, None)
        core = {n: s for n, s in services(model).items() if runs_core(n, s) and not n.endswith("-init")}
        assert core, path.name
        for name, service in core.items():
            env = environment(service)
            assert {k: env.get(k) for k in SMTP_CONTRACT} == SMTP_CONTRACT, f"{path.name}: {name}"
            assert all(k in env for k in CORE_ENVIRONMENT), (
                f"{path.name}: {name} lacks {set(CORE_ENVIRONMENT) - set(env)}"
            )
            assert env["BOTTLENECK_ALERT_EMAIL_TO"] == "data-team@bottleneck.test"
            assert {k: env.get(k) for k in WAREHOUSE_CONTRACT} == WAREHOUSE_CONTRACT, f"{path.name}: {name}"
            if name not in (
                "webserver",
                "airflow-api-server",
                "airflow-dag-processor",
                "airflow-triggerer",
            ):  # they send no e-mail
                assert service["depends_on"].get("mailpit") == {"condition": "service_healthy"}, f"{path.name}: {name}"
        # the containers that run the pipelines wait for the warehouse's services
        runners = {
            "kestra.yml": ("kestra", "kestra-docker-runner"),
            "airflow.yml": ("airflow-scheduler",),
            "dagster.yml": ("user-code",),
            "prefect.yml": ("flow-runner",),
        }[path.name]
        for name in runners:
            for other in ("minio", "warehouse-db"):
                assert core[name]["depends_on"].get(other) == {"condition": "service_healthy"}, f"{path.name}: {name}"

    def test_memory_is_capped(self, path):
        model, _ = render(path, SHELL, None)
        for name, service in services(model).items():
            if not name.endswith("-init"):
                assert "mem_limit" in service, f"{path.name}: {name} has no mem_limit"

    def test_no_docker_socket_by_default(self, path):
        for name, service in default_services(load(path)).items():
            for volume in service.get("volumes", []):
                assert "docker.sock" not in str(volume), (
                    f"{path.name}: {name} mounts the Docker socket outside a profile"
                )

    def test_long_running_services_have_healthchecks(self, path):
        for name, service in services(load(path)).items():
            one_shot = service.get("restart") == "no" and "command" in service and name.endswith("init")
            assert one_shot or "healthcheck" in service, f"{path.name}: {name} has no healthcheck"

    def test_depends_on_waits_for_health(self, path):
        for name, service in services(load(path)).items():
            depends = service.get("depends_on", {})
            assert isinstance(depends, dict), f"{path.name}: {name} depends_on must give a condition"
            for other, rule in depends.items():
                assert rule.get("condition") in ("service_healthy", "service_completed_successfully"), (
                    f"{path.name}: {name} waits for {other} without a health condition"
                )


def test_kestra_jvm_is_capped_and_starts_without_tutorials():
    model, _ = render(COMPOSE_DIR / "kestra.yml", SHELL, None)
    for name in ("kestra", "kestra-docker-runner"):
        env = environment(model["services"][name])
        assert re.search(r"-Xmx\d+[mg]", env["JAVA_OPTS"]), name
        conf = yaml.safe_load(env["KESTRA_CONFIGURATION"])
        assert conf["kestra"]["tutorial-flows"] == {"enabled": False}, name
    runner = yaml.safe_load(environment(model["services"]["kestra-docker-runner"])["KESTRA_CONFIGURATION"])
    task_env = runner["kestra"]["plugins"]["defaults"][0]["values"]["env"]  # the docker-runner's task containers
    assert {k: task_env.get(k) for k in SMTP_CONTRACT} == SMTP_CONTRACT and all(k in task_env for k in CORE_ENVIRONMENT)
    assert {k: task_env.get(k) for k in WAREHOUSE_CONTRACT} == WAREHOUSE_CONTRACT
    # task containers join the stack's network (`name: bottleneck-kestra` + Compose's `_default`),
    # or they could not resolve mailpit, minio and warehouse-db
    runner_conf = runner["kestra"]["plugins"]["defaults"][0]["values"]["taskRunner"]
    assert runner_conf["networkMode"] == f"{model['name']}_default"
    # Kestra's own PostgreSQL tasks read the warehouse from ENV_ variables ({{ envs.warehouse_jdbc_url }})
    for name in ("kestra", "kestra-docker-runner"):
        env = environment(model["services"][name])
        assert env["ENV_WAREHOUSE_JDBC_URL"] == "jdbc:postgresql://warehouse-db:5432/warehouse", name
        assert (env["ENV_WAREHOUSE_USER"], env["ENV_WAREHOUSE_PASSWORD"]) == ("warehouse", "warehouse-dev"), name


def test_host_ports_are_unique_across_files():
    """Each UI has its own port; only the services every stack shares (the inbox, MinIO, the
    warehouse database) have the same ports in every file: the stacks are meant to run one at a
    time (compose/README.md)."""
    seen: dict[str, str] = {}
    shared = {"8025": "mailpit", "9000": "minio", "9001": "minio", "5433": "warehouse-db"}
    for path in COMPOSE_FILES:
        model, _ = render(path, SHELL, None)
        for name, _, port in host_ports(model):
            if name in SHARED_SERVICES:
                assert shared.get(port) == name, f"{path.name}: {name} on {port}"
                continue
            where = f"{path.name}:{name}"
            assert port not in seen, f"host port {port} used by {seen[port]} and {where}"
            seen[port] = where


# --- documented commands, images, platform files --------------------------------------------


def tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", *patterns], cwd=REPO, capture_output=True, text=True).stdout.split()
    return [REPO / p for p in out if (REPO / p).exists()]


DOCUMENTS = tracked("*.md", "compose/*.yml", ".env.example", ".github/workflows/*.yml")


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_documented_commands_follow_one_rule(doc):
    """`up` always rebuilds (images carry core), and overrides go to compose/.env."""
    text = doc.read_text(encoding="utf-8")
    for line in re.findall(r"docker compose[^\n`|]*\bup\b[^\n`|]*", text):
        assert "--build" in line, f"{doc.relative_to(REPO)}: {line.strip()!r} lacks --build"
    for bad in re.findall(r"cp \.env\.example [^\s`]+", text):
        assert bad == "cp .env.example compose/.env", (
            f"{doc.relative_to(REPO)}: {bad!r}: the file Compose reads is compose/.env"
        )
    assert not re.search(r"docker compose[^\n`]*--env-file", text), (
        f"{doc.relative_to(REPO)}: the kit's rule is compose/.env, not --env-file"
    )


def test_kestra_pipeline_image_runs_as_the_host_user():
    dockerfile = (REPO / "kestra" / "Dockerfile").read_text(encoding="utf-8")
    pipeline = dockerfile.split("AS pipeline", 1)[1]
    assert "ARG HOST_UID=1000" in pipeline and "USER ${HOST_UID}:${HOST_GID}" in pipeline


def test_dockerignore_keeps_local_state_out_of_images():
    rules = set((REPO / ".dockerignore").read_text().split())
    for rule in (
        ".git",
        ".venv*",
        ".venvs",
        "**/*.egg-info",
        "**/build",
        "**/.pytest_cache",
        "**/__pycache__",
        "data/work",
        "data/output",
        "compose/.env",
        ".env",
    ):
        assert rule in rules, f".dockerignore lacks {rule}"


def test_gitattributes_keep_scripts_runnable_on_windows_checkouts():
    rules = (REPO / ".gitattributes").read_text()
    for pattern in ("*.sh", "*.py", "*.yml", "Makefile", ".env.example"):
        assert re.search(rf"^{re.escape(pattern)}\s+text eol=lf", rules, re.M), pattern
    assert re.search(r"^\*\.xlsx\s+binary", rules, re.M)
