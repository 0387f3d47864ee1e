"""Small-cell suppression for the council figures (docs/figures.md, 'Kleine aantallen').

A figure table is a grid of counts with row totals, column totals and a grand
total. Every table of one period splits the same cases (by behaviour, by
relation, ...), so the column totals (meldingen, signalen, alles) are the same
cells in every table: one cell id, one decision.

* Primary: every count from 1 to 4 is suppressed (shown as "< 5").
* Complementary: a line (a row with its total, a column with its total) with
  exactly one suppressed cell would give that cell away by subtraction, so a
  second cell of that line is suppressed too (shown as "x"): the smallest
  non-zero count of the line, an inner cell before a total. Repeated until no
  line has exactly one.
* Audit: the suppressed cells' possible values are then narrowed by interval
  propagation over all lines of all tables at once, knowing what a reader
  knows (a "< 5" is 1 to 4, an "x" is 0 or at least 5, every count is at most
  the grand total). A cell left with one possible value gets another
  complement in one of its lines, and the audit runs again.

Pure functions over plain numbers; nothing here touches the database.
"""

from dataclasses import dataclass, field

SMALL = range(1, 5)


def is_small(value: int) -> bool:
    return value in SMALL


@dataclass
class Grid:
    """One table: ``cells[(row, col)]`` for the inner cells; ``row_totals``,
    ``col_totals`` and ``grand`` the margins. ``ids`` name every cell so that
    margins shared between tables are the same cell."""

    key: str
    rows: list[str]
    cols: list[str]
    cells: dict[tuple[str, str], int]
    row_totals: dict[str, int] = field(default_factory=dict)
    col_totals: dict[str, int] = field(default_factory=dict)
    grand: int = 0
    margin_key: str = "alle"

    def cell_id(self, row: str, col: str) -> tuple:
        return (self.key, row, col)

    def row_total_id(self, row: str) -> tuple:
        return (self.key, row, "totaal")

    def col_total_id(self, col: str) -> tuple:
        return (self.margin_key, "totaal", col)

    def grand_id(self) -> tuple:
        return (self.margin_key, "totaal", "totaal")

    def values(self) -> dict[tuple, int]:
        found = {self.cell_id(r, c): v for (r, c), v in self.cells.items()}
        found.update({self.row_total_id(r): v for r, v in self.row_totals.items()})
        found.update({self.col_total_id(c): v for c, v in self.col_totals.items()})
        found[self.grand_id()] = self.grand
        return found

    def lines(self) -> list[tuple[list[tuple], tuple]]:
        """Each line as (the cells that add up, the cell they add up to)."""
        lines = [([self.cell_id(r, c) for c in self.cols], self.row_total_id(r)) for r in self.rows]
        lines += [([self.cell_id(r, c) for r in self.rows], self.col_total_id(c)) for c in self.cols]
        lines.append(([self.row_total_id(r) for r in self.rows], self.grand_id()))
        lines.append(([self.col_total_id(c) for c in self.cols], self.grand_id()))
        return lines


@dataclass
class Suppressed:
    primary: set = field(default_factory=set)
    complementary: set = field(default_factory=set)

    def __contains__(self, cell) -> bool:
        return cell in self.primary or cell in self.complementary

    def all(self) -> set:
        return self.primary | self.complementary


def suppress(grids: list[Grid]) -> Suppressed:
    values: dict[tuple, int] = {}
    for grid in grids:
        values.update(grid.values())
    lines = [line for grid in grids for line in grid.lines()]
    result = Suppressed(primary={cell for cell, value in values.items() if is_small(value)})
    for _round in range(100):
        _complete_lines(lines, values, result)
        weak = derivable(lines, values, result)
        if not weak:
            return result
        for cell in sorted(weak, key=repr):
            _protect(cell, lines, values, result)
    raise RuntimeError("suppression did not settle")  # pragma: no cover (every round adds a cell)


def _candidates(line_cells: list[tuple], values, result, totals: set) -> list[tuple]:
    """Unsuppressed non-zero cells of a line, inner cells and small counts first."""
    free = [c for c in line_cells if c not in result and values[c] > 0]
    return sorted(free, key=lambda c: (c in totals, values[c], repr(c)))


def _complete_lines(lines, values, result: Suppressed) -> None:
    totals = {total for _cells, total in lines}
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            line = [*cells, total]
            if sum(1 for c in line if c in result) == 1:
                candidates = _candidates(line, values, result, totals)
                if candidates:
                    result.complementary.add(candidates[0])
                    changed = True


def _protect(cell, lines, values, result: Suppressed) -> None:
    totals = {total for _cells, total in lines}
    for cells, total in lines:
        line = [*cells, total]
        if cell in line:
            candidates = _candidates(line, values, result, totals)
            if candidates:
                result.complementary.add(candidates[0])
                return


def bounds(lines, values, result: Suppressed) -> dict[tuple, tuple[int, int]]:
    """What a reader can narrow each suppressed cell to, from the shown cells:
    interval propagation over every line (an outer bound: the true set of
    possible values lies inside)."""
    shown = {c: v for c, v in values.items() if c not in result}
    top = max(values.values(), default=0)
    box = {c: ((1, 4) if c in result.primary else (0, top)) for c in result.all()}

    def span(cell):
        return (shown[cell], shown[cell]) if cell in shown else box[cell]

    for _ in range(200):
        changed = False
        for cells, total in lines:
            members = [(c, 1) for c in cells] + [(total, -1)]
            for cell, sign in members:
                if cell in shown:
                    continue
                # sign * cell = -(sum of the others with their signs)
                lo_rest = hi_rest = 0
                for other, other_sign in members:
                    if other == cell:
                        continue
                    lo, hi = span(other)
                    if other_sign > 0:
                        lo_rest, hi_rest = lo_rest + lo, hi_rest + hi
                    else:
                        lo_rest, hi_rest = lo_rest - hi, hi_rest - lo
                lo, hi = (-hi_rest, -lo_rest) if sign > 0 else (lo_rest, hi_rest)
                old_lo, old_hi = box[cell]
                new_lo, new_hi = max(old_lo, lo), min(old_hi, hi)
                if cell in result.complementary:
                    # An "x" is 0 or at least 5.
                    if new_lo in SMALL:
                        new_lo = 5
                    if new_hi in SMALL:
                        new_hi = 0
                if (new_lo, new_hi) != (old_lo, old_hi) and new_lo <= new_hi:
                    box[cell] = (new_lo, new_hi)
                    changed = True
        if not changed:
            break
    return box


def derivable(lines, values, result: Suppressed) -> set:
    return {cell for cell, (lo, hi) in bounds(lines, values, result).items() if lo >= hi}


def percentage(part: int, base: int) -> int | None:
    """A whole percentage, or None when it would reveal a small count: a base
    of 1 to 4, or 1 to 4 on either side of the split."""
    if base == 0 or is_small(base) or is_small(part) or is_small(base - part):
        return None
    return round(100 * part / base)
