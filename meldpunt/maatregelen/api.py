"""The measures register in the staff API: read-only, on the case endpoint
(``GET /api/v1/zaken/{reference}``, ``measures``). Recording and consent go
through the case page and the inbox."""

import datetime
import uuid

from ninja import Schema
from pydantic import Field

from meldpunt.maatregelen.models import Measure


class MeasureOut(Schema):
    id: uuid.UUID
    kind: str = Field(description="gesprek, waarschuwing, partijen_scheiden, overplaatsing, andere_taken, ...")
    burdens: str = Field(description="beschuldigde, melder, organisatie or anders")
    state: str = Field(description="voorgesteld, genomen or vervallen")
    decided_on: datetime.date
    decision_maker: str
    reason: str
    justification: str
    consent: str = Field(description="akkoord, niet_akkoord, or empty while the reporter has not answered")
    consent_via: str = Field(description="postvak or gesprek")
    consent_at: datetime.datetime | None
    taken_at: datetime.datetime | None


def measures_out(case) -> list[dict]:
    found = []
    for measure in Measure.objects.filter(case=case).select_related("decision_maker"):
        measure.case = case
        sealed = measure.sealed
        found.append(
            {
                "id": measure.public_id,
                "kind": measure.kind,
                "burdens": measure.burdens,
                "state": measure.state,
                "decided_on": measure.decided_on,
                "decision_maker": measure.decision_maker.name
                if measure.decision_maker
                else sealed.get("decision_maker", ""),
                "reason": sealed.get("reason", ""),
                "justification": sealed.get("justification", ""),
                "consent": measure.consent,
                "consent_via": measure.consent_via,
                "consent_at": measure.consent_at,
                "taken_at": measure.taken_at,
            }
        )
    return found
