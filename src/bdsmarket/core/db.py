"""Database chores that more than one app needs."""

from django.db import connection
from django.db.models import DecimalField

# The output field of a sum of money columns (NUMERIC(14, 2)): six more digits hold the sum
# of a million rows of the largest amounts.
MONEY_SUM = DecimalField(max_digits=20, decimal_places=2)


def statistics_refresh(*tables: str) -> None:
    """Have PostgreSQL look at `tables` again after a bulk load, so that the next queries are
    planned for the rows they now hold (autovacuum would, but only some time later: a query
    planned for an empty table over a million rows can take minutes instead of a second)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
