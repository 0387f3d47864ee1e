from django.db import models
from django.utils.translation import gettext_lazy as _


class FilingProof(models.Model):
    """The signed proof that a report was filed (meldpunt/bewijs/proof.py).

    Written once, in the transaction that stores the report, and never
    changed. ``statement`` is exactly the signed text (it names no content:
    the digest covers a random nonce); the submitted document is sealed under
    the case key, like the report itself.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="filing_proof")
    statement = models.TextField(_("verklaring"))
    key_id = models.CharField(_("sleutel"), max_length=64)
    signature = models.BinaryField()
    sealed_document = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("bewijs van indiening")
        verbose_name_plural = _("bewijzen van indiening")

    def __str__(self):
        return f"bewijs {self.case_id}"

    def armoured(self) -> str:
        from meldpunt.bewijs.proof import armour

        return armour(self.statement, bytes(self.signature))

    def document(self) -> bytes:
        """The report exactly as submitted (canonical JSON); opens the case key."""
        return self.case.key.open("proof-document", self.sealed_document)
