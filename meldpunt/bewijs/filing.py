"""Making the proof of filing while a report is stored (called from
``meldpunt.cases.actions.submit_report``).

``prepare`` runs before the storing transaction: it writes the submitted
document and seals it under the case key. ``store`` runs inside it, once the
case has its number: it signs the statement and writes the proof row. So a
report is never stored without its proof, nor a proof without its report.
"""

from dataclasses import dataclass

from meldpunt.bewijs import proof
from meldpunt.bewijs.models import FilingProof


def _signed_statement(case, sha256: str):
    organisation = case.organisation
    return proof.sign_statement(
        organisation,
        lambda key_id: proof.statement(
            slug=organisation.slug,
            name=organisation.name,
            reference=case.reference,
            received_at=case.received_at,
            sha256=sha256,
            key_id=key_id,
        ),
    )


@dataclass
class PreparedProof:
    sealed_document: bytes
    sha256: str

    def store(self, case) -> FilingProof:
        text, signature = _signed_statement(case, self.sha256)
        return FilingProof.objects.create(
            case=case,
            statement=text,
            key_id=signature.key_id,
            signature=signature.signature,
            sealed_document=self.sealed_document,
            created_at=case.received_at,
        )


def prepare(case_key, report, *, kind: str, channel: str) -> PreparedProof:
    document = proof.submitted_document(report, kind=kind, channel=channel)
    return PreparedProof(sealed_document=case_key.seal("proof-document", document), sha256=proof.digest(document))


def redate_for_demo(case) -> None:
    """The demo only: its cases are made now and then moved back in time
    (``meldpunt.demo.cases``); their proofs are signed again for the moved
    time, so the demo's proofs say what its inbox says. Never used for real cases."""
    found = FilingProof.objects.get(case=case)
    sha256 = proof.parse(found.armoured()).fields["sha256"]
    text, signature = _signed_statement(case, sha256)
    FilingProof.objects.filter(pk=found.pk).update(
        statement=text, key_id=signature.key_id, signature=signature.signature, created_at=case.received_at
    )
