"""What a test reads from the queries a request ran."""

WRITING = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})


def writes(captured) -> list[str]:
    """The statements among ``captured`` (django_assert_num_queries' context)
    that change rows: a page read with GET must have none."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().split(maxsplit=1)[0].upper() in WRITING
    ]
