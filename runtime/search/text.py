"""Turning text into search terms the same way for documents and queries."""

from __future__ import annotations

import re
import unicodedata

# Han, Hiragana, Katakana, Hangul: scripts written without spaces between words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"\w+", re.UNICODE)
#: Longer words are cut: no name or keyword is longer, and databases cap lexemes.
MAX_TERM = 64
#: Longer queries are cut before any work is done on them.
MAX_QUERY_CHARS = 256


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def fold(text: str) -> str:
    """Lower case without accents: "Café" and "cafe" are one term."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    """The terms of `text`: words, and each CJK character on its own.

    Chinese has no spaces, and a dictionary segmenter guesses wrong on shop
    names; single characters matched as a phrase find "咖啡" inside "咖啡店"
    and need no dictionary.
    """
    out: list[str] = []
    for word in _WORD.findall(fold(text)):
        word = word[:MAX_TERM]
        run = ""
        for char in word:
            if is_cjk(char):
                if run:
                    out.append(run)
                    run = ""
                out.append(char)
            else:
                run += char
        if run:
            out.append(run)
    return out


def query_words(query: str) -> list[list[str]]:
    """The query as words; a CJK run is one word of several characters (a phrase)."""
    words: list[list[str]] = []
    for word in _WORD.findall(fold(query[:MAX_QUERY_CHARS])):
        word = word[:MAX_TERM]
        run, cjk = "", []
        for char in word:
            if is_cjk(char):
                if run:
                    words.append([run])
                    run = ""
                cjk.append(char)
            else:
                if cjk:
                    words.append(cjk)
                    cjk = []
                run += char
        if run:
            words.append([run])
        if cjk:
            words.append(cjk)
    return words


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count once), stopping past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


#: Words shorter than this must be typed right: a typo there would match too much.
TYPO_MIN_LETTERS = 5


def typo_budget(word: str) -> int:
    """How many edits a word may be off: none under 5 letters, 1 from 5, 2 from 8."""
    if len(word) >= 8:
        return 2
    if len(word) >= TYPO_MIN_LETTERS:
        return 1
    return 0


def deletions(word: str, n: int) -> set[str]:
    """`word` and every string made by deleting up to `n` of its letters."""
    found = frontier = {word}
    for _ in range(n):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found = found | frontier
    return found


def near_keys(term: str) -> set[str]:
    """The keys a vocabulary term is filed under for typo lookups (symmetric deletion).

    Two words within k edits (swaps included) share a string made by deleting
    at most k letters from each, so a query looks up `deletions(word, k)` and
    finds every term within reach; edit_distance then decides. A term keeps
    the deletions of its own budget, which covers every query length that can
    reach it (a 5-letter query with one edit reaches terms of 4 letters or more).
    """
    if len(term) < TYPO_MIN_LETTERS - 1:
        return set()
    return deletions(term, typo_budget(term))


def phrase(text: str) -> str:
    """`text` as one normalized phrase: its terms joined by single spaces.

    Names and keywords are stored and compared this way, so "Corner Coffee",
    "corner  coffee" and "CORNER COFFEE!" are one phrase, and "街角咖啡" is
    "街 角 咖 啡" (a CJK character is a term of its own).
    """
    return " ".join(terms(text))
