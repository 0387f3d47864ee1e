"""Aftercare: support offered to the reporter, and the check for disadvantage (benadeling) after closure."""
