"""Dated portfolios: the portfolio an office holder held during one appointment.

A position has a portfolio of its own (``Position.portfolio``), the default;
an appointment may hold another (``Appointment.portfolio``), so a wethouder
whose portfolio changed keeps the old one in the history: one appointment
per portfolio, each with its dates (docs/adr/0004-dated-portfolios.md).

Pure functions, so the routing snapshot and the registry pages name an
appointment the same way:

    held_title("Wethouder Wonen", "Wethouder", "Wonen", "Financiën")  # 'Wethouder Financiën'
"""


def held_portfolio(position_portfolio: str, appointment_portfolio: str) -> str:
    """The portfolio held during the appointment: its own, or else the position's."""
    return appointment_portfolio or position_portfolio


def held_title(title: str, category_label, position_portfolio: str, appointment_portfolio: str) -> str:
    """The office as it was held: the position's title, or, when the appointment
    held a portfolio other than the position's, the category with that
    portfolio ('Wethouder Financiën')."""
    if not appointment_portfolio or appointment_portfolio == position_portfolio:
        return title
    return f"{category_label} {appointment_portfolio}"
