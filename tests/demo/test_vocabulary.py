"""The words the demo and the benchmark share: well-formed lists (the benchmark sends them to
PostgreSQL as text arrays, and a bare string where a tuple belongs would spell out letters)."""

from __future__ import annotations

from demo import vocabulary


def test_every_region_has_a_tuple_of_hospital_names() -> None:
    assert len(vocabulary.HOSPITALS_BY_REGION) == 21
    for code, names in vocabulary.HOSPITALS_BY_REGION.items():
        assert isinstance(names, tuple), code
        assert names and all(isinstance(name, str) and len(name) > 3 for name in names), code


def test_the_flat_lists_are_distinct_words() -> None:
    for name in ("FIRST_NAMES", "SURNAMES", "STREETS", "ADMISSION_REASONS", "KOMMUN_SERVICES"):
        words = getattr(vocabulary, name)
        assert isinstance(words, tuple), name
        assert len(set(words)) == len(words), name
        assert all(isinstance(word, str) and word.strip() for word in words), name
