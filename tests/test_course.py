"""The course stays true: every lesson has its French twin, its answers and working links; every
`make` and `bottleneck` command a lesson shows exists; the cheap ones run; French texts use the
glossary's terms and French typography."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "docs" / "course"
SOLUTIONS = REPO / "solutions" / "course"
BOTTLENECK = Path(sys.executable).with_name("bottleneck")
# The lessons of the shared contract, in order (06 is written with the screenshots; 09 is Phase 2, the warehouse).
LESSONS = [
    "00-setup",
    "01-pipeline",
    "02-kestra",
    "03-airflow",
    "04-dagster",
    "05-prefect",
    "06-side-by-side",
    "07-failure-lab",
    "08-backfill",
    "09-warehouse",
]
MONTH = "2026-10"


def lesson_files() -> list[Path]:
    return sorted(p for p in COURSE.glob("*.md") if re.match(r"\d\d-", p.name))


def english(paths):
    return [p for p in paths if not p.name.endswith(".fr.md")]


def ids(p: Path) -> str:
    return str(p.relative_to(REPO))


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)


def commands(text: str, program: str) -> list[str]:
    """Every command line starting with ``program`` in the text's code blocks and inline code."""
    found = []
    for block in code_blocks(text) + re.findall(r"`([^`\n]+)`", text):
        for line in block.splitlines():
            line = re.sub(r"^\s*(\$ )?(\.venvs/\w+/bin/)?", "", line.split("#")[0]).strip()
            for part in re.split(r"\s*(?:&&|\|\||;|\|)\s*", line):
                if re.match(rf"{program}(\s|$)", part):
                    found.append(part)
    return found


@functools.cache
def cli_help(*subcommands: str) -> subprocess.CompletedProcess:
    return run_cli(*subcommands, "--help", data=REPO / "data")


def run_cli(*args: str, data: Path, lang: str = "en") -> subprocess.CompletedProcess:
    env = {"PATH": str(BOTTLENECK.parent) + ":/usr/bin:/bin", "BOTTLENECK_DATA_DIR": str(data), "BOTTLENECK_LANG": lang}
    return subprocess.run([str(BOTTLENECK), *args], env=env, capture_output=True, text=True, timeout=600)


# --- every lesson, its twin, its answers -----------------------------------------------------


@pytest.mark.parametrize("slug", LESSONS)
def test_every_lesson_of_the_contract_exists_in_both_languages(slug):
    for name in (f"{slug}.md", f"{slug}.fr.md"):
        assert (COURSE / name).is_file(), f"docs/course/{name} missing"


@pytest.mark.parametrize("lesson", lesson_files(), ids=ids)
def test_every_lesson_file_has_its_twin(lesson):
    twin = (
        lesson.with_name(lesson.name[:-6] + ".md") if lesson.name.endswith(".fr.md") else lesson.with_suffix(".fr.md")
    )
    assert twin.is_file(), f"{ids(twin)} missing"


def self_check(text: str) -> list[str]:
    """The numbered questions under the lesson's self-check heading."""
    section = re.search(r"^## (?:Self-check|Pour vérifier vos acquis)\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, "no self-check section"
    return re.findall(r"^(\d+)\. ", section.group(1), re.M)


@pytest.mark.parametrize("lesson", [p for p in lesson_files() if not p.name.startswith("06-")], ids=ids)
def test_self_check_has_three_to_five_questions_and_as_many_answers(lesson):
    questions = self_check(lesson.read_text())
    assert 3 <= len(questions) <= 5, f"{len(questions)} questions"
    answers_file = SOLUTIONS / lesson.name
    assert answers_file.is_file(), f"{ids(answers_file)} missing"
    answers = re.findall(r"^(\d+)\. ", answers_file.read_text(), re.M)
    assert answers == questions, f"questions {questions}, answers {answers}"
    assert f"solutions/course/{lesson.name}" in lesson.read_text(), "the lesson does not link to its answers"


@pytest.mark.parametrize("lesson", english(lesson_files()), ids=ids)
def test_both_languages_ask_the_same_questions_and_show_the_same_commands(lesson):
    en, fr = lesson.read_text(), lesson.with_suffix(".fr.md").read_text()
    assert len(self_check(en)) == len(self_check(fr))
    for program in ("make", "bottleneck"):
        strip = lambda cmds: sorted({re.sub(r"--lang fr\s*", "", c) for c in cmds})  # noqa: E731
        assert strip(commands(en, program)) == strip(commands(fr, program)), program


@pytest.mark.parametrize("lesson", lesson_files(), ids=ids)
def test_a_lesson_reads_in_about_twenty_minutes(lesson):
    text = lesson.read_text()
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    words = len(re.findall(r"\w+", prose))
    assert words <= 4000, f"{words} words of prose: more than ~20 minutes of reading"


# --- links, images ----------------------------------------------------------------------------


def course_docs() -> list[Path]:
    docs = (
        sorted(COURSE.glob("README*.md"))
        + sorted(SOLUTIONS.glob("*.md"))
        + sorted((REPO / "docs").glob("glossary*.md"))
    )
    return lesson_files() + docs


@pytest.mark.parametrize("doc", course_docs(), ids=ids)
def test_every_relative_link_and_image_resolves(doc):
    text = doc.read_text()
    targets = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'<img [^>]*src="([^"]+)"', text)
    for target in targets:
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (doc.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{ids(doc)} links to {target}, which does not exist"


@pytest.mark.parametrize("doc", lesson_files(), ids=ids)
def test_every_image_a_lesson_shows_exists(doc):
    for image in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", doc.read_text()):
        assert (doc.parent / image).is_file(), f"{image} missing"


def test_the_index_lists_every_lesson_in_both_languages():
    for index, suffix in (("README.md", ".md"), ("README.fr.md", ".fr.md")):
        text = (COURSE / index).read_text()
        listed = re.findall(r"\]\((\d\d-[\w-]+)" + re.escape(suffix) + r"\)", text)
        assert listed == LESSONS, index


@pytest.mark.parametrize(
    "readme",
    ["README.md", "README.fr.md"]
    + [f"{t}/README{lang}.md" for t in ("kestra", "airflow", "dagster", "prefect") for lang in ("", ".fr")],
)
def test_readmes_link_into_the_course(readme):
    text = (REPO / readme).read_text()
    assert "docs/course/" in text, f"{readme} has no link to the course"


# --- commands shown in lessons are real --------------------------------------------------------


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-zA-Z][\w-]*):", (REPO / "Makefile").read_text(), re.M))


@pytest.mark.parametrize("lesson", lesson_files(), ids=ids)
def test_every_make_command_in_a_lesson_is_a_target(lesson):
    targets = make_targets()
    for command in commands(lesson.read_text(), "make"):
        target = next((w for w in command.split()[1:] if "=" not in w and not w.startswith("-")), None)
        if target:
            assert target in targets, f"`{command}`: no target {target!r} in the Makefile"


@pytest.mark.parametrize("lesson", lesson_files(), ids=ids)
def test_every_bottleneck_command_in_a_lesson_exists_with_its_options(lesson):
    for command in commands(lesson.read_text(), "bottleneck"):
        words = [w for w in command.split()[1:]]
        while words and words[0].startswith("--lang"):
            words = words[2:] if words[0] == "--lang" else words[1:]
        if not words or words[0].startswith("-"):
            continue
        path = [words[0]]
        help_text = cli_help(*path)
        assert help_text.returncode == 0, f"`{command}`: no subcommand {words[0]!r}\n{help_text.stderr}"
        # a group (e.g. `bottleneck warehouse run …`): descend into the named subcommand
        while "COMMAND [ARGS]" in help_text.stdout and len(words) > len(path) and not words[len(path)].startswith("-"):
            path.append(words[len(path)])
            help_text = cli_help(*path)
            assert help_text.returncode == 0, f"`{command}`: no subcommand {' '.join(path)!r}\n{help_text.stderr}"
        for option in [w.split("=")[0] for w in words[len(path) :] if w.startswith("--")]:
            assert option in help_text.stdout, f"`{command}`: {' '.join(path)} has no option {option}"


# --- the cheap commands of the lessons run, and print what the lessons say --------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(REPO / "data" / "sources" / MONTH, data / "sources" / MONTH)
    return data


def test_bottleneck_steps_prints_the_graph_lesson_01_describes():
    from bottleneck_core import graph

    steps = json.loads(run_cli("steps", data=REPO / "data").stdout)["steps"]
    assert [s["name"] for s in steps] == [s.name for s in graph.STEPS]
    assert len(steps) == 13 and "thirteen steps" in (COURSE / "01-pipeline.md").read_text()
    assert {s["branch"] for s in steps} == {"erp", "link", "web", None}
    assert [s["name"] for s in steps if s["io"]] == ["extract_erp", "extract_link", "extract_web", "export"]


def test_the_run_prints_the_figures_the_lessons_quote(sample):
    done = run_cli("run", "--month", MONTH, data=sample)
    assert done.returncode == 0, done.stderr
    total = re.search(r"Revenue total: ([\d.]+) €", done.stdout).group(1)
    counts = re.search(r"Premium wines: (\d+)\s+Ordinary wines: (\d+)", done.stdout).groups()
    manifest = json.loads((sample / "output" / MONTH / "manifest.json").read_text())
    for name in ("00-setup", "01-pipeline", "02-kestra", "04-dagster"):
        text = (COURSE / f"{name}.md").read_text()
        assert total in text, f"{name}.md does not quote the revenue total {total}"
    lesson01 = (COURSE / "01-pipeline.md").read_text()
    rows = manifest["rows"]
    assert f"| `erp_raw` → `erp_dedup` | {rows['erp_raw']} → {rows['erp_dedup']} |" in lesson01
    assert f"{rows['web_raw']} → {rows['web_clean']} → {rows['web_dedup']}" in lesson01
    assert f"| `merged` | {rows['merged']} |" in lesson01
    assert f"{counts[0]} / {counts[1]}" in lesson01
    fr = (COURSE / "01-pipeline.fr.md").read_text()
    assert f"{rows['web_raw']} → {rows['web_clean']} → {rows['web_dedup']}" in fr and f"{counts[0]} / {counts[1]}" in fr


@pytest.mark.parametrize("lang, lesson", [("en", "01-pipeline.md"), ("fr", "01-pipeline.fr.md")])
def test_the_check_output_quoted_in_lesson_01_is_what_the_command_prints(sample, lang, lesson):
    if not (sample / "work" / MONTH / "erp_raw.parquet").exists():
        assert run_cli("run", "--month", MONTH, data=sample).returncode == 0
    printed = run_cli("check", "clean_erp", "--month", MONTH, data=sample, lang=lang).stdout.splitlines()
    quoted = [
        line
        for block in code_blocks((COURSE / lesson).read_text())
        for line in block.splitlines()
        if re.match(r"(passed|failed|réussi|échoué)\s", line)
    ]
    assert quoted, "no check output quoted"
    for line in quoted:
        head = line.split("…")[0]
        assert any(p.startswith(head) for p in printed), f"not printed by `bottleneck check clean_erp`: {line}"


def test_rerunning_a_month_rewrites_the_same_bytes(sample):
    """Lesson 08: a rerun of a month is idempotent."""

    def digests():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (sample / "output" / MONTH).iterdir()}

    assert run_cli("run", "--month", MONTH, data=sample).returncode == 0
    first = digests()
    assert run_cli("run", "--month", MONTH, data=sample).returncode == 0
    assert digests() == first and len(first) == 4


def test_the_failure_recipe_of_lesson_07_stops_at_the_gate_it_names(sample, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample / "sources", data / "sources")
    listing = run_cli("break", "--list", data=data)
    assert listing.returncode == 0 and "negative-prices" in listing.stdout, listing.stderr
    broken = run_cli("break", "--month", MONTH, "--fault", "blank-prices", data=data)
    assert broken.returncode == 0, broken.stderr
    assert (data / "sources" / MONTH / ".pristine").is_dir()
    failed = run_cli("run", "--month", MONTH, data=data)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "erp_prices_present" in failed.stdout + failed.stderr
    assert not (data / "output" / MONTH / "manifest.json").exists(), "a failed run published reports"
    lesson = (COURSE / "07-failure-lab.md").read_text()
    assert "`erp_prices_present` after step `clean_erp`" in lesson
    restored = run_cli("break", "--month", MONTH, "--restore", data=data)
    assert restored.returncode == 0, restored.stderr
    for original in (sample / "sources" / MONTH).glob("*.xlsx"):
        assert (data / "sources" / MONTH / original.name).read_bytes() == original.read_bytes()


# --- French: the glossary's terms, French typography --------------------------------------------

FRENCH_DOCS = sorted(
    p
    for pattern in (
        "README.fr.md",
        "docs/**/*.fr.md",
        "*/README.fr.md",
        "data/**/README.fr.md",
        "solutions/course/*.fr.md",
    )
    for p in REPO.glob(pattern)
    # compose/README.fr.md is being rewritten elsewhere; exercises/ and solutions/NN-*/ are the exercises'
    if p.parts[len(REPO.parts)] not in ("compose", "exercises", ".venvs")
    and not (p.parts[len(REPO.parts)] == "solutions" and p.parent.name != "course")
)
# Words the glossary replaces in French prose (code, commands and the tools' own words excepted).
NOT_FRENCH = {
    r"\bwrappers?\b": "enveloppe",
    r"\b(?:le|du|de) core\b": "le cœur",
    r"\bharnais\b": "banc d'essai",
    r"\bbanc de test\b": "banc d'essai",
    r"\bbenchmark\b": "mesure des performances",
    r"\bgate\b": "contrôle qualité",
}


def french_prose(text: str) -> str:
    """The text a French reader reads: no code, no link targets, no URLs, no HTML comments."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "`…`", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", "URL", text)
    text = re.sub(r"\*[^*\n]+\*", "", text)  # italic words in English, e.g. *backfill*
    return text


@pytest.mark.parametrize("doc", [p for p in FRENCH_DOCS if p.name != "glossary.fr.md"], ids=ids)
def test_french_texts_use_the_glossary_terms(doc):
    prose = french_prose(doc.read_text())
    for pattern, term in NOT_FRENCH.items():
        found = re.findall(pattern, prose, re.I)
        assert not found, f"{ids(doc)}: {found[0]!r} — write « {term} » (docs/glossary.fr.md)"


@pytest.mark.parametrize("doc", FRENCH_DOCS, ids=ids)
def test_french_typography_has_a_space_before_double_punctuation(doc):
    bad = []
    for number, line in enumerate(french_prose(doc.read_text()).splitlines(), 1):
        for match in re.finditer(r"[^\s\u00a0\u202f|(\[]([:;?!])(?=\s|$)", line):
            bad.append(f"line {number}: …{line[max(0, match.start() - 20) : match.end() + 10]}…")
    assert not bad, f"{ids(doc)}: no space before : ; ? !\n" + "\n".join(bad[:10])
