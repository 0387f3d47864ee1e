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


@dataclass
class PreparedProof:
    sealed_document: bytes
    sha256: str

    def store(self, case) -> FilingProof:
        organisation = case.organisation
        text, signature = proof.sign_statement(
            organisation,
            lambda key_id: proof.statement(
                slug=organisation.slug,
                name=organisation.name,
                reference=case.reference,
                received_at=case.received_at,
                sha256=self.sha256,
                key_id=key_id,
            ),
        )
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
