"""Answers of ``/sparql`` kept in the server's main process, so that a query asked again on the
same data is answered without a worker: bounded in bytes (least recently used first out), each
answer tied to the data it was computed on (the store's generation: a rebuild makes every kept
answer stale at once)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

#: an answer larger than this is not kept (a few of them would push everything else out)
MAX_ANSWER = 1 << 20


class AnswerCache:
    """Answers (media type and body) by request key, at most ``max_bytes`` of bodies in all."""

    def __init__(self, max_bytes: int, max_answer: int = MAX_ANSWER) -> None:
        self.max_bytes = max_bytes
        self.max_answer = min(max_answer, max_bytes)
        self.held = 0
        self.hits = 0
        self.misses = 0
        self._answers: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()

    def get(self, key: Hashable) -> tuple[str, bytes] | None:
        """The kept answer for ``key`` (now the most recently used), or ``None``."""
        answer = self._answers.get(key)
        if answer is None:
            self.misses += 1
            return None
        self._answers.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: Hashable, media_type: str, body: bytes) -> None:
        """Keep an answer (unless it is too large), dropping the least recently used ones to fit."""
        if len(body) > self.max_answer:
            return
        old = self._answers.pop(key, None)
        if old is not None:
            self.held -= len(old[1])
        self._answers[key] = (media_type, body)
        self.held += len(body)
        while self.held > self.max_bytes:
            _key, (_media, dropped) = self._answers.popitem(last=False)
            self.held -= len(dropped)

    def __len__(self) -> int:
        return len(self._answers)
