"""Proof of filing: a signed statement that and when a report was filed, and its public verification."""
