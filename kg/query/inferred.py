"""The renderer's convention for inferred values: a stored query that returns ``?x`` and a
boolean ``?xInferred`` (true when ``x``'s property is marked ``kgo:inferred`` on its subject)
gets, in the table and Markdown formats, ``x`` shown as ``value (inferred)`` and no ``xInferred``
column. A ``?xInferred`` without an ``?x`` column prints ``inferred`` or nothing. CSV, TSV and
JSON keep both columns as they are, for machines."""

from __future__ import annotations

SUFFIX = "Inferred"
MARK = " (inferred)"
TRUE = ("true", "1")


def mark_inferred(variables: list[str], cells: list[list[str]]) -> tuple[list[str], list[list[str]], bool]:
    """The columns and cells with each ``xInferred`` column folded into ``x``; and whether any
    value was marked."""
    flags = {
        i: variables.index(v[: -len(SUFFIX)]) if v[: -len(SUFFIX)] in variables else None
        for i, v in enumerate(variables)
        if v.endswith(SUFFIX) and len(v) > len(SUFFIX)
    }
    if not flags:
        return variables, cells, False
    marked = False
    out = []
    for row in cells:
        row = list(row)
        for flag, target in flags.items():
            inferred = row[flag].strip().lower() in TRUE
            if target is None:
                row[flag] = "inferred" if inferred else ""
            elif inferred and row[target]:
                row[target] += MARK
                marked = True
            elif inferred:
                row[target] = MARK.strip()
                marked = True
        out.append(row)
    drop = {i for i, t in flags.items() if t is not None}
    keep = [i for i in range(len(variables)) if i not in drop]
    return (
        [variables[i] for i in keep],
        [[row[i] for i in keep] for row in out],
        marked or any(t is None and any(r[f] for r in out) for f, t in flags.items()),
    )
