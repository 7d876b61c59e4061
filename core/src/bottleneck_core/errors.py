"""Errors that students read: each carries its message in English and in French."""

from __future__ import annotations

import os

LANGS = ("en", "fr")


def current_lang() -> str:
    """The display language: ``BOTTLENECK_LANG`` (``en`` or ``fr``), English by default."""
    lang = os.environ.get("BOTTLENECK_LANG", "en").strip().lower()[:2]
    return lang if lang in LANGS else "en"


class PipelineError(Exception):
    """A failure the pipeline explains itself (no traceback needed)."""

    exit_code = 3

    def __init__(self, en: str, fr: str):
        super().__init__(en)
        self.en = en
        self.fr = fr

    def text(self, lang: str | None = None) -> str:
        """Both languages, the chosen one first."""
        first, second = (self.fr, self.en) if (lang or current_lang()) == "fr" else (self.en, self.fr)
        return f"{first}\n{second}"


class SourceError(PipelineError):
    """A source file is missing, unreadable or not shaped as expected (bad input)."""

    exit_code = 2


class UsageProblem(PipelineError):
    """A bad or missing option value on the command line (usage error)."""

    exit_code = 5


class GateFailed(PipelineError):
    """An error-level quality check failed: the run stops here."""

    exit_code = 1

    def __init__(self, step: str, failures: list, results: list | None = None):
        self.step = step
        self.failures = failures
        self.results = failures if results is None else results  # every gate of the step, as run
        en = "\n".join(f"  [{r.name}] {r.message_en}" for r in failures)
        fr = "\n".join(f"  [{r.name}] {r.message_fr}" for r in failures)
        super().__init__(
            en=f"Quality gate failed after step '{step}':\n{en}",
            fr=f"Contrôle qualité en échec après l'étape « {step} » :\n{fr}",
        )
