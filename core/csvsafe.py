"""Spreadsheet-safe cells for CSV/XLSX exports (OWASP "CSV injection").

A text cell that starts with = + - @ (or a tab / carriage return) is run as a formula by spreadsheet software;
an apostrophe in front keeps it as text. Numbers are left alone (a negative latitude stays a number).
"""

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def safe_row(row):
    return [safe_cell(value) for value in row]


def safe_sql(expression: str) -> str:
    """The same rule inside a PostgreSQL query (for COPY … TO STDOUT exports)."""
    return (
        f"CASE WHEN left({expression}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') "
        f"THEN '''' || {expression} ELSE {expression} END"
    )
