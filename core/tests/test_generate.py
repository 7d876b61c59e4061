"""The generator is deterministic, and the committed sample data are exactly its output."""

from bottleneck_core import generate
from bottleneck_testkit import SAMPLE_MONTHS, SAMPLES


def test_committed_samples_are_the_generators_output(tmp_path):
    folders = generate.generate_months(tmp_path)
    assert [f.name for f in folders] == list(SAMPLE_MONTHS)
    for folder in folders:
        for path in folder.iterdir():
            assert path.read_bytes() == (SAMPLES / folder.name / path.name).read_bytes(), f"{folder.name}/{path.name}"


def test_months_evolve():
    a, b = (SAMPLES / m / "reference.json" for m in SAMPLE_MONTHS[:2])
    assert a.read_text() != b.read_text()
