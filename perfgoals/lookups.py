"""``field__any_of=[…]``: ``IN`` for long lists of texts, as one parameter.

Django writes ``name IN (%s, %s, …)`` with a placeholder per value, and psycopg splits the query text
at every placeholder again: for the indicator library's thousands of names that was most of an
update's time on PostgreSQL (0.3 s for 10,000 names, before the server saw the query). ``any_of``
sends ``name = ANY(…)`` with the list as one parameter there (one text the server splits, else an
array); on SQLite ``name IN (SELECT value FROM json_each(…))`` with the list as one JSON text, so that
no list, however long, meets SQLite's limit on parameters; elsewhere it is ``in``. Values are
prepared by the field (texts are taken as they are), and None dropped, as ``in`` does. Registered when
the app loads (``PerfgoalsConfig.ready``).
"""

from __future__ import annotations

import json

from django.core.exceptions import EmptyResultSet
from django.db.models import CharField
from django.db.models.lookups import In

#: what joins the values sent as one text (U+001F, which no XML text — no workbook cell — can hold);
#: a list with it in a value, or with an empty value, goes as an array
_SEPARATOR = "\x1f"


@CharField.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        """Texts as they are: a text column prepares a str to itself (``in`` asks the field for each
        of the thousands of values, a fifth of the library update's queries' Python time)."""
        rhs = self.rhs
        if isinstance(rhs, (list, tuple, set, frozenset)) and all(type(value) is str for value in rhs):
            return list(rhs)
        return super().get_prep_lookup()

    def _values(self) -> list:
        """The list's values once each, None dropped; EmptyResultSet when none is left (as ``in``)."""
        values = [value for value in dict.fromkeys(self.rhs) if value is not None]
        if not values:
            raise EmptyResultSet
        return values

    def as_sqlite(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self._values()
        if all(type(value) is str for value in values):
            return f"{lhs} IN (SELECT value FROM json_each(%s))", (
                *lhs_params,
                json.dumps(values, ensure_ascii=False),
            )
        return super().as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self._values()
        if all(type(value) is str and value and _SEPARATOR not in value for value in values):
            # one text the server splits: quoting a list client-side costs psycopg 2 µs a value
            return f"{lhs} = ANY(string_to_array(%s, chr(31)))", (*lhs_params, _SEPARATOR.join(values))
        return f"{lhs} = ANY(%s::text[])", (*lhs_params, values)
