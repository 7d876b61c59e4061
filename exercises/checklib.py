"""What every exercise checker shares: where the files to check are, messages in the student's
language, and a short report at the end of the check (what is missing, and a hint).

The checkers run in the tool's own virtualenv (``exercises/run_check.py`` starts them): this
module imports nothing but the standard library and pytest, so it loads in all of them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def lang() -> str:
    """``fr`` when BOTTLENECK_LANG asks for French, else ``en`` (as core decides)."""
    return "fr" if os.environ.get("BOTTLENECK_LANG", "").strip().lower().startswith("fr") else "en"


def say(en: str, fr: str) -> str:
    return fr if lang() == "fr" else en


def work_dir() -> Path:
    """The folder whose files are checked: the student's exercise folder, or its solution."""
    folder = os.environ.get("BOTTLENECK_EXERCISE_DIR")
    if not folder:
        raise RuntimeError("BOTTLENECK_EXERCISE_DIR is not set: run checks with `make check EX=NN`")
    return Path(folder)


def work_file(name: str) -> Path:
    """One of the exercise's files (in the student's copy, or in the solution)."""
    path = work_dir() / name
    expect(
        path.is_file(),
        f"{path} is missing.",
        f"{path} est introuvable.",
        "Restore it with `git checkout -- <file>`.",
        "Restaurez-le avec `git checkout -- <fichier>`.",
    )
    return path


class NotDone(AssertionError):
    """A check of the exercise failed: what is missing, and a hint."""


def expect(ok: object, missing_en: str, missing_fr: str, hint_en: str = "", hint_fr: str = "") -> None:
    """Fail the check with "what is missing" and "hint", in the student's language, unless ``ok``."""
    if ok:
        return
    text = say(missing_en, missing_fr)
    hint = say(hint_en, hint_fr)
    if hint:
        text += "\n" + say("Hint: ", "Indice : ") + hint
    raise NotDone(text)


def load_module(path: Path, name: str):
    """Import a Python file of the exercise by path (its folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- pytest plugin (``-p checklib``): one short line per check, then what is missing ------------

_failures: list[tuple[str, str]] = []


def pytest_runtest_logreport(report):
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr)
        for prefix in ("checklib.NotDone: ", "NotDone: "):
            message = message.removeprefix(prefix)
        _failures.append((report.nodeid.rsplit("::", 1)[-1], message.strip()))


def pytest_terminal_summary(terminalreporter, exitstatus):
    write = terminalreporter.write_line
    if not _failures and exitstatus == 0:
        write("")
        write(say("✅ All checks pass: well done!", "✅ Tous les contrôles passent : bravo !"))
        return
    write("")
    write(say("❌ Not there yet:", "❌ Pas encore :"))
    for name, message in _failures:
        write(f"  ✗ {name}")
        for line in message.splitlines()[:25]:
            write(f"      {line}")
