"""Hand-written SQL for the survey's hot path, planned once per connection.

Every survey submission runs the same two statements: the link's look-up and, on
PostgreSQL, the write. Planning them costs PostgreSQL about as much as running
them, so while connections persist (``DJANGO_CONN_MAX_AGE`` above 0) each is
prepared once per connection and executed by name after that. With connections
closed after every request, as behind a transaction-pooling PgBouncer, where a
prepared statement would not be there for the next transaction, the statement is
sent whole each time. SQLite has no ``PREPARE`` and gets the statement whole too.

Statements use PostgreSQL's numbered parameters (``$1``), with one type each.
"""

import re
import weakref
from collections.abc import Sequence

_PARAMETER = re.compile(r"\$(\d+)")


class Statement:
    _names: set[str] = set()

    def __init__(self, name: str, sql: str, types: Sequence[str]) -> None:
        # A name stays prepared for the whole session: one statement per name.
        if name in Statement._names:
            raise ValueError(f"{name}: already the name of another statement")
        used = {int(n) for n in _PARAMETER.findall(sql)}
        if used != set(range(1, len(types) + 1)):
            raise ValueError(f"{name}: uses {sorted(used)}, has {len(types)} types")
        Statement._names.add(name)
        self.name = name
        self.sql = sql
        self.types = tuple(types)
        self._prepare = f"PREPARE {name} ({', '.join(self.types)}) AS {sql}"
        self._execute = f"EXECUTE {name} ({', '.join(['%s'] * len(self.types))})"
        escaped = sql.replace("%", "%%")
        self._whole_postgresql = _PARAMETER.sub(
            lambda m: f"%(p{m[1]})s::{self.types[int(m[1]) - 1]}", escaped
        )
        self._whole = _PARAMETER.sub(r"%(p\1)s", escaped)
        # The driver connections this statement is prepared on; a new connection
        # (after a restart, say) is not in it and prepares it again.
        self._prepared_on: weakref.WeakSet = weakref.WeakSet()

    def execute(self, cursor, params: Sequence) -> None:
        """Run the statement on ``cursor`` (a ``connection.cursor()``)."""
        if len(params) != len(self.types):
            raise ValueError(f"{self.name}: {len(params)} values for {len(self.types)}")
        db = cursor.db
        if db.vendor != "postgresql":
            cursor.execute(self._whole, self._named(params))
        elif db.settings_dict["CONN_MAX_AGE"] == 0:
            cursor.execute(self._whole_postgresql, self._named(params))
        else:
            if db.connection not in self._prepared_on:
                cursor.execute(self._prepare)
                self._prepared_on.add(db.connection)
            cursor.execute(self._execute, params)

    @staticmethod
    def _named(params: Sequence) -> dict:
        return {f"p{n}": value for n, value in enumerate(params, start=1)}
