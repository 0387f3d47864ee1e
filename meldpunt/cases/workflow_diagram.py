"""The lifecycle table (``workflow.STEPS``) drawn as a Mermaid state diagram
for docs/lifecycle.md; tests/test_lifecycle_docs.py checks that the page
shows exactly this. Print it with
``python manage.py shell -c "from meldpunt.cases.workflow_diagram import mermaid; print(mermaid())"``."""

from meldpunt.cases.models import State
from meldpunt.cases.workflow import CLOSED_STATES, REPORTER, STEPS

ORDER = list(State.values)


def mermaid() -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {State.ONTVANGEN}"]
    for step in STEPS:
        who = " (melder)" if step.by == REPORTER else ""
        for source in sorted(step.sources, key=ORDER.index):
            lines.append(f"    {source} --> {step.target}: {step.name}{who}")
    lines += [f"    {state} --> [*]" for state in ORDER if state in CLOSED_STATES]
    return "\n".join(lines)
