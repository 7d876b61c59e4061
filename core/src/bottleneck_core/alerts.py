"""Failure alerts: a log line, a webhook POST (``BOTTLENECK_ALERT_WEBHOOK``) and an e-mail.

Core writes the words, the orchestrators deliver them:

- :func:`send_alert` logs the failure and POSTs it to the webhook when one is set;
- :func:`failure_email` builds the e-mail (subject and plain text, in the student's language)
  from the gate results the month recorded; ``bottleneck alert-email`` prints it as JSON;
- each tool sends that e-mail its own way (Kestra's mail task, Airflow's SMTP notifier,
  Dagster's e-mail-on-run-failure sensor, ``prefect-email``); :func:`send_email` is the plain
  ``smtplib`` fallback for anything else. No e-mail leaves unless ``BOTTLENECK_SMTP_HOST`` is set.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from email.message import EmailMessage

from . import graph
from .checks import recorded_results
from .config import Paths
from .errors import current_lang

log = logging.getLogger("bottleneck.alerts")
ENV = "BOTTLENECK_ALERT_WEBHOOK"
DEFAULT_TO = "data-team@bottleneck.test"
DEFAULT_FROM = "bottleneck@bottleneck.test"


def send_alert(
    tool: str, month: str | None, run: str, reason: str, url: str | None = None, timeout: float = 10
) -> bool:
    """Log the failure and, when a webhook URL is configured, POST it as JSON.

    Returns True when a webhook accepted the alert. A webhook that cannot be reached is
    logged, never raised: the alert must not hide the failure it reports.
    """
    payload = {"tool": tool, "month": month, "run": run, "status": "failed", "reason": reason}
    log.error("BottleNeck ALERT: %s run %s for month %s failed: %s", tool, run, month, reason)
    url = url or os.environ.get(ENV)
    if not url:
        return False
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= response.status < 300
    except OSError as exc:
        log.error("BottleNeck ALERT: webhook %s unreachable: %s", url, exc)
        return False


# --- The e-mail --------------------------------------------------------------------------------

WORDS = {
    "en": {
        "failed": "FAILED",
        "title": "BottleNeck monthly run FAILED ({tool})",
        "month": "Month",
        "step": "Failed step",
        "gate": "Quality gate",
        "message": "Message",
        "run": "Run",
        "link": "Open the run",
        "no_link": "open {tool}'s UI and look for this run id",
        "others": "Other failed gates of this step",
        "no_gate": "no gate result",
        "no_gate_message": "The step stopped before its quality gates could run (a missing or unreadable "
        "source file, for example): the run's logs give the reason.",
        "after": "No report was published for this month: the last good reports are untouched.\n"
        "Repair the source files, then run the month again (docs/course/07-failure-lab.md).",
    },
    "fr": {
        "failed": "ÉCHEC",
        "title": "Exécution mensuelle BottleNeck en ÉCHEC ({tool})",
        "month": "Mois",
        "step": "Étape en échec",
        "gate": "Contrôle qualité",
        "message": "Message",
        "run": "Exécution",
        "link": "Ouvrir l'exécution",
        "no_link": "ouvrez l'interface de {tool} et cherchez cet identifiant",
        "others": "Autres contrôles en échec de cette étape",
        "no_gate": "aucun résultat de contrôle",
        "no_gate_message": "L'étape s'est arrêtée avant que ses contrôles qualité ne puissent s'exécuter (un fichier "
        "source absent ou illisible, par exemple) : les journaux de l'exécution en donnent la raison.",
        "after": "Aucun rapport n'a été publié pour ce mois : les derniers bons rapports sont intacts.\n"
        "Réparez les fichiers sources, puis relancez le mois (docs/course/07-failure-lab.fr.md).",
    },
}


def first_failure(paths: Paths) -> tuple[str | None, list]:
    """The step that stopped the month and its failed error-level gates, from the recorded results.

    In graph order, the first step with a failed error-level gate; when no gate failed (a step
    itself failed, e.g. on a bad input file), the first step with no gate result and no gates.
    """
    missing = None
    for step in graph.STEPS:
        results = recorded_results(paths, step.name)
        if results is None:
            missing = missing or step.name
        elif any(r.blocking for r in results):
            return step.name, [r for r in results if r.blocking]
    return missing, []


def failure_email(tool: str, paths: Paths, run_id: str, run_url: str | None = None, lang: str | None = None) -> dict:
    """The failure e-mail of one run: ``subject`` and ``text`` (plain text), in ``lang`` (default: BOTTLENECK_LANG).

    Also returned, for the senders' convenience: ``month``, ``step``, ``gate``, ``to`` and ``from``.
    """
    lang = lang if lang in WORDS else current_lang()
    w = WORDS[lang]
    step, failures = first_failure(paths)
    step = step or "?"
    gate = failures[0].name if failures else w["no_gate"]
    message = (failures[0].message_fr if lang == "fr" else failures[0].message_en) if failures else w["no_gate_message"]
    subject = f"🔴 BottleNeck {paths.month} {w['failed']} at {step} / {gate} ({tool})"
    if lang == "fr":
        subject = f"🔴 BottleNeck {paths.month} {w['failed']} à {step} / {gate} ({tool})"
    rows = [
        (w["month"], paths.month),
        (w["step"], step),
        (w["gate"], gate),
        (w["message"], message),
        (w["run"], run_id),
        (w["link"], run_url or w["no_link"].format(tool=tool)),
    ]
    width = max(len(label) for label, _ in rows) + 1
    sep = " :" if lang == "fr" else ":"
    lines = [w["title"].format(tool=tool), ""]
    lines += [f"{(label + sep).ljust(width + len(sep))} {value}" for label, value in rows]
    if len(failures) > 1:
        lines += ["", f"{w['others']}{sep}"]
        lines += [f"  - {r.name}: {r.message_fr if lang == 'fr' else r.message_en}" for r in failures[1:]]
    lines += ["", w["after"]]
    return {
        "subject": subject,
        "text": "\n".join(lines) + "\n",
        "month": paths.month,
        "step": step,
        "gate": gate,
        "to": email_to(),
        "from": email_from(),
    }


# --- Sending -----------------------------------------------------------------------------------


def smtp_host() -> str | None:
    """``BOTTLENECK_SMTP_HOST``; None when unset or empty (then no e-mail is sent)."""
    return os.environ.get("BOTTLENECK_SMTP_HOST", "").strip() or None


def smtp_port() -> int:
    return int(os.environ.get("BOTTLENECK_SMTP_PORT", "").strip() or 25)


def email_to() -> str:
    return os.environ.get("BOTTLENECK_ALERT_EMAIL_TO", "").strip() or DEFAULT_TO


def email_from() -> str:
    return os.environ.get("BOTTLENECK_ALERT_EMAIL_FROM", "").strip() or DEFAULT_FROM


def send_email(message: dict, timeout: float = 10) -> bool:
    """Send a :func:`failure_email` message over plain SMTP to ``BOTTLENECK_SMTP_HOST``.

    Returns True when the server accepted it; False when no host is set or the server could
    not be reached (logged, never raised: the alert must not hide the failure it reports).
    """
    host = smtp_host()
    if not host:
        return False
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = message["subject"], email_from(), email_to()
    mail.set_content(message["text"])
    try:
        with smtplib.SMTP(host, smtp_port(), timeout=timeout) as server:
            server.send_message(mail)
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.error("BottleNeck ALERT: SMTP server %s:%s refused the e-mail: %s", host, smtp_port(), exc)
        return False
