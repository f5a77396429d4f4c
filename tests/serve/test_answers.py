"""The answers kg serve keeps for /sparql queries asked again (kg.serve.answers)."""

from __future__ import annotations

from kg.serve.answers import AnswerCache


def test_kept_answers_stay_within_their_bytes_least_recently_used_out_first() -> None:
    cache = AnswerCache(max_bytes=10, max_answer=10)
    cache.put("a", "application/json", b"aaaa")
    cache.put("b", "application/json", b"bbbb")
    assert cache.get("a") == ("application/json", b"aaaa")  # a is now the most recently used
    cache.put("c", "text/csv", b"cccc")  # 12 bytes: b goes
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") == ("text/csv", b"cccc")
    assert cache.held == 8 and len(cache) == 2
    assert (cache.hits, cache.misses) == (3, 1)


def test_an_answer_too_large_is_not_kept_and_replacing_one_counts_its_bytes_once() -> None:
    cache = AnswerCache(max_bytes=100, max_answer=5)
    cache.put("big", "application/json", b"x" * 6)
    assert cache.get("big") is None and cache.held == 0
    cache.put("k", "application/json", b"12345")
    cache.put("k", "application/json", b"123")
    assert cache.held == 3 and cache.get("k") == ("application/json", b"123")
