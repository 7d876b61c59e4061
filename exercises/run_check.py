"""Check one exercise: ``make check EX=04`` (your files) or ``make check EX=04 SOLUTION=1``.

Runs the exercise's checker (``exercises/NN-slug/check/``) with pytest in the tool's own
virtualenv, on the files of ``exercises/NN-slug/`` (or ``solutions/NN-slug/``). The checker only
reads those files: it runs them against the kit in temporary folders and never writes into the
kit (see exercises/README.md, "How the checks work").

    python exercises/run_check.py 04 [--solution] [--junit FILE] [-- extra pytest arguments]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from checklib import say  # noqa: E402


def exercises() -> dict[str, dict]:
    with open(HERE / "exercises.toml", "rb") as f:
        return {e["number"]: e for e in tomllib.load(f)["exercise"]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("number", help="exercise number, e.g. 04")
    parser.add_argument("--solution", action="store_true", help="check the solution instead of your files")
    parser.add_argument("--junit", help="also write a JUnit XML report there (used by the kit's tests)")
    args = parser.parse_args(argv)

    known = exercises()
    number = args.number.zfill(2)
    if number not in known:
        print(
            say(
                f"No exercise {args.number}. Exercises: {', '.join(known)}.",
                f"Pas d'exercice {args.number}. Exercices : {', '.join(known)}.",
            ),
            file=sys.stderr,
        )
        return 5
    ex = known[number]
    checker = HERE / ex["slug"] / "check"
    work = (REPO / "solutions" if args.solution else HERE) / ex["slug"]
    tool = ex["tool"]
    if subprocess.run(["bash", str(REPO / "scripts" / "venv.sh"), tool]).returncode != 0:
        return 3
    python = REPO / ".venvs" / tool / "bin" / "python"
    title = ex["title_fr"] if say("en", "fr") == "fr" else ex["title_en"]
    print(say(f"Checking exercise {number} ({tool}): {title}", f"Contrôle de l'exercice {number} ({tool}) : {title}"))
    print(
        say("Files checked: ", "Fichiers contrôlés : ")
        + ", ".join(str((work / f).relative_to(REPO)) for f in ex["files"])
    )

    env = dict(os.environ)
    env["BOTTLENECK_EXERCISE_DIR"] = str(work)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    cmd = [
        str(python),
        "-m",
        "pytest",
        "-c",
        str(REPO / "pytest.ini"),
        "--rootdir",
        str(checker),
        str(checker),
        "-p",
        "checklib",
        "-p",
        "no:cacheprovider",
        "-q",
        "--tb=no",
        "--no-header",
        "-rN",
        *extra,
    ]
    if args.junit:
        cmd.append(f"--junitxml={args.junit}")
    return subprocess.run(cmd, cwd=REPO, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
