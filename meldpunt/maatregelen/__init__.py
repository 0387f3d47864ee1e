"""Measures register: what was decided in a case, whom it burdens, and the reporter's consent when it burdens them."""
