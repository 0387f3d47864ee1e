"""docs/lifecycle.md draws the lifecycle table as it is: the Mermaid diagram is
exactly what ``workflow_diagram.mermaid()`` makes of ``workflow.STEPS``, and
every step has its row in the table of what it needs."""

from pathlib import Path

from meldpunt.cases.workflow import STEPS
from meldpunt.cases.workflow_diagram import mermaid

DOC = Path(__file__).resolve().parents[1] / "docs" / "lifecycle.md"


def test_the_state_diagram_matches_the_step_table():
    text = DOC.read_text(encoding="utf-8")
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0].strip()
    assert block == mermaid(), "regenerate the diagram in docs/lifecycle.md with workflow_diagram.mermaid()"


def test_every_step_has_its_needs_in_the_doc():
    text = DOC.read_text(encoding="utf-8")
    for step in STEPS:
        assert f"| `{step.name}`" in text, step.name


def test_the_diagram_has_every_transition():
    drawn = mermaid()
    for step in STEPS:
        for source in step.sources:
            assert f"{source} --> {step.target}: {step.name}" in drawn
