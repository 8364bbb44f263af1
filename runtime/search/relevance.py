"""How well one program matches a query: its tier, what matched, and the text score within the tier.

The order of evidence (docs/registry.md, "How search ranks programs"):

1. `exact`: the whole query is one of the program's names or counted keywords;
2. `name-start`: a name begins with the whole query, as whole words;
3. `all-words`: every query word is a whole word of the program (a Chinese
   query: its characters in a row);
4. `prefixes`: every word matches, some only as the start of a longer word;
5. `typos`: every word matches, some only within the typo budget;
6. `some-words`: no program has every word, this one has some.

"Whole word" includes a plural or inflected ending: a word of 4+ letters
matches a term that is the word plus or minus one of `ENDINGS` ("ticket" and
"tickets", "envelope" and "envelopes", "boek" and "boeken"), so plurals count
as the same word in every tier, the first two included.

A program in a better tier always ranks above one in a worse tier. Within a
tier, `text` decides:
- `field`: per query word, the evidence of the fields it matched in (name,
  keyword, description, combined as independent evidence, so a word in the
  name and in a keyword counts more than in the name alone, and repeating it
  in one field counts once), times how it matched (whole, prefix, typo);
- `coverage`: the share of a name's letters the query covers (a keyword's
  counts at 0.8), the best name or keyword;
- `position`: 1 / (1 + the index of the first matched word in that name).
Usage and freshness then lift `text` by a bounded factor (ranking.py), never
across tiers.

Both databases only find candidates; this module judges every candidate the
same way whichever database found it, so SQLite and PostgreSQL order alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

EXACT, NAME_START, ALL_WORDS, PREFIXES, TYPOS, SOME_WORDS = 1, 2, 3, 4, 5, 6
TIER_NAMES = {
    EXACT: "exact",
    NAME_START: "name-start",
    ALL_WORDS: "all-words",
    PREFIXES: "prefixes",
    TYPOS: "typos",
    SOME_WORDS: "some-words",
}

#: How much a match in each field is worth on its own (combined as 1 - product of (1 - weight)).
FIELD_WEIGHTS = {"name": 0.7, "keyword": 0.5, "description": 0.2}
#: How much each way of matching is worth.
HOW_WEIGHTS = {"exact": 1.0, "stem": 0.95, "prefix": 0.8, "typo": 0.6}
#: A keyword covered counts this much against a name covered.
KEYWORD_COVERAGE = 0.8
#: How the text score is made of its parts (they sum to 1, so text is in [0, 1]).
FIELD_SHARE, COVERAGE_SHARE, POSITION_SHARE = 0.5, 0.35, 0.15
#: Endings that leave a word the same word ("ticket", "tickets"; "boek", "boeken"; "bateau", "bateaux"),
#: in the languages the catalogue speaks, for words of `STEM_MIN` letters or more.
ENDINGS = frozenset({"s", "es", "e", "n", "en", "er", "x"})
STEM_MIN = 4

_FIELDS = ("name", "keyword", "description")
_HOW = ("exact", "stem", "prefix", "typo")
_WHOLE = ("exact", "stem")


@dataclass
class Word:
    """One query word: its terms (several for a Chinese run, matched in a row),
    whether it may match as a prefix, and the vocabulary terms within its typo
    budget (filled only when a typo-tolerant search runs)."""

    terms: tuple[str, ...]
    prefix: bool
    near: list[tuple[int, str]] = field(default_factory=list)  # (edits, term), closest first

    @property
    def text(self) -> str:
        return "".join(self.terms) if len(self.terms) > 1 else self.terms[0]


@dataclass
class Query:
    words: list[Word]

    @classmethod
    def of(cls, words: list[list[str]]) -> Query:
        # A Latin word may be the start of a longer one; a Chinese run is a phrase.
        return cls([Word(tuple(terms), prefix=len(terms) == 1) for terms in words])

    @cached_property
    def terms(self) -> list[str]:
        return [term for word in self.words for term in word.terms]

    @cached_property
    def phrase(self) -> str:
        """The whole query as a stored name or keyword would read (text.phrase)."""
        return " ".join(self.terms)

    @cached_property
    def terms_of(self) -> dict[str, tuple[str, ...]]:
        """A word's text -> its terms."""
        return {word.text: word.terms for word in self.words}


class Match(NamedTuple):
    word: str  # as the query had it (folded)
    term: str  # the program's term it matched
    how: str  # exact, stem, prefix or typo
    fields: tuple[str, ...]  # where it matched that way: name, keyword, description

    @property
    def evidence(self) -> float:
        missing = 1.0
        for name in self.fields:
            missing *= 1 - FIELD_WEIGHTS[name]
        return (1 - missing) * HOW_WEIGHTS[self.how]

    def as_dict(self) -> dict[str, object]:
        return {"word": self.word, "term": self.term, "how": self.how, "fields": list(self.fields)}


class Judgement(NamedTuple):
    tier: int
    matches: tuple[Match, ...]
    field: float  # the words' evidence, in [0, 1]
    coverage: float  # the share of the best name's (or keyword's) letters the query covers
    position: float  # 1 / (1 + the index of that name's first matched word)

    @property
    def text(self) -> float:
        return FIELD_SHARE * self.field + COVERAGE_SHARE * self.coverage + POSITION_SHARE * self.position

    @property
    def tier_name(self) -> str:
        return TIER_NAMES[self.tier]


def judge(query: Query, names: list[str], keywords: list[str], descriptions: str) -> Judgement:
    """How `query` matches a program with these normalized names, keywords and descriptions (text.phrase)."""
    texts = {"name": _padded(names), "keyword": _padded(keywords), "description": f" {descriptions} "}
    matches = [_match(word, texts) for word in query.words]
    if _equal(query, names, texts["name"]) or _equal(query, keywords, texts["keyword"]):
        tier = EXACT
    elif _starts(query, names, texts["name"]):
        tier = NAME_START
    elif any(match is None for match in matches):
        tier = SOME_WORDS
    else:
        worst = max(_HOW.index(match.how) for match in matches if match is not None)
        tier = (ALL_WORDS, ALL_WORDS, PREFIXES, TYPOS)[worst]
    found = tuple(match for match in matches if match is not None)
    evidence = sum(match.evidence for match in found) / len(matches)
    coverage, position = _best_cover(query, found, names, keywords)
    return Judgement(tier, found, evidence, coverage, position)


def same_word(word: str, term: str) -> bool:
    """Whether `term` is `word`, or `word` with one of `ENDINGS` added or taken off."""
    if word == term:
        return True
    short, long = (word, term) if len(word) < len(term) else (term, word)
    return len(short) >= STEM_MIN and long[len(short) :] in ENDINGS and long.startswith(short)


def _same_words(words: list[str], terms: list[str]) -> bool:
    return len(words) == len(terms) and all(same_word(word, term) for word, term in zip(words, terms))


def _equal(query: Query, phrases: list[str], padded: str) -> bool:
    """Whether one of `phrases` is the whole query, word for word (same_word)."""
    if query.phrase in phrases:
        return True
    terms = query.terms
    # Only a phrase with as many words, starting like the query, can differ by endings alone.
    start = terms[0][:STEM_MIN]
    if " " + start not in padded:
        return False
    spaces = len(terms) - 1
    return any(
        _same_words(terms, phrase.split(" ")) for phrase in phrases if phrase.startswith(start) and phrase.count(" ") == spaces
    )


def _starts(query: Query, names: list[str], padded: str) -> bool:
    """Whether a name begins with the whole query, as whole words (same_word), and goes on."""
    whole = query.phrase + " "
    if any(name.startswith(whole) for name in names):
        return True
    terms = query.terms
    start = terms[0][:STEM_MIN]
    if " " + start not in padded:
        return False
    spaces = len(terms)
    return any(
        _same_words(terms, name.split(" ")[: len(terms)]) for name in names if name.startswith(start) and name.count(" ") >= spaces
    )


def _padded(phrases: list[str]) -> str:
    # " | " between phrases: no word, prefix or Chinese run matches across two names.
    return " " + " | ".join(phrases) + " "


def _match(word: Word, texts: dict[str, str]) -> Match | None:
    """The best way `word` matches (exact, stem, prefix, typo), and every field it matches that way in."""
    exact = " " + " ".join(word.terms) + " "
    fields = tuple([name for name in _FIELDS if exact in texts[name]])
    if fields:
        return Match(word.text, word.text, "exact", fields)
    if not word.prefix:
        return None  # a Chinese run matches in a row or not at all
    (letters,) = word.terms
    needle = " " + letters
    if len(letters) >= STEM_MIN:
        found = {name: term for name in _FIELDS if (term := _stem_in(texts[name], letters, needle))}
        if found:
            fields = tuple(found)
            return Match(letters, found[fields[0]], "stem", fields)
    fields = tuple([name for name in _FIELDS if needle in texts[name]])
    if fields:
        text = texts[fields[0]]
        at = text.index(needle)
        return Match(letters, text[at + 1 : text.index(" ", at + 1)], "prefix", fields)
    for _, term in word.near:
        fields = tuple([name for name in _FIELDS if f" {term} " in texts[name]])
        if fields:
            return Match(letters, term, "typo", fields)
    return None


def _stem_in(text: str, letters: str, needle: str) -> str | None:
    """A term of `text` (padded) that is `letters` with an ending added or taken off, if any."""
    for ending in ENDINGS:  # taken off: "tickets" finds "ticket"
        if letters.endswith(ending) and len(letters) - len(ending) >= STEM_MIN and f" {letters[: -len(ending)]} " in text:
            return letters[: -len(ending)]
    at = text.find(needle)
    while at >= 0:  # added: "ticket" finds "tickets"
        end = text.index(" ", at + 1)
        if text[at + 1 + len(letters) : end] in ENDINGS:
            return text[at + 1 : end]
        at = text.find(needle, at + 1)
    return None


def _best_cover(query: Query, matches: tuple[Match, ...], names: list[str], keywords: list[str]) -> tuple[float, float]:
    """(coverage, position) of the name or keyword the query covers best."""
    whole: dict[str, float] = {}  # term -> worth of the match that covers it whole
    prefixes: list[tuple[str, float]] = []  # typed starts of longer terms
    for match in matches:
        how = match.how
        if how == "prefix":
            prefixes.append((match.word, HOW_WEIGHTS["prefix"]))
            continue
        worth = HOW_WEIGHTS[how]
        if how != "exact":
            whole[match.term] = worth  # the stem or typo term found
        for term in query.terms_of[match.word]:  # the word itself (each character of a Chinese run)
            whole.setdefault(term, worth)
    if not whole and not prefixes:
        return (0.0, 0.0)
    # What a covered phrase must contain somewhere: a phrase without any is skipped unsplit.
    needles = [term[:STEM_MIN] for term in whole] + [word[:STEM_MIN] for word, _ in prefixes]
    best = (0.0, 0.0)
    for scale, phrases in ((1.0, names), (KEYWORD_COVERAGE, keywords)):
        for text in phrases:
            for needle in needles:
                if needle in text:
                    break
            else:
                continue
            terms = text.split(" ")
            total = covered = 0.0
            first = -1
            for index, term in enumerate(terms):
                total += len(term)
                worth = whole.get(term)
                if worth is not None:
                    letters = len(term) * worth
                elif prefixes:
                    letters = _prefix_letters(term, prefixes)
                    if not letters:
                        continue
                else:
                    continue
                covered += letters
                if first < 0:
                    first = index
            if first >= 0 and total:
                candidate = (scale * covered / total, scale / (1 + first))
                if candidate > best:
                    best = candidate
    return best


def _prefix_letters(term: str, prefixes: list[tuple[str, float]]) -> float:
    """The letters of `term` a typed prefix covers (all of them when it is the same word), weighted."""
    found = 0.0
    for word, worth in prefixes:
        if same_word(word, term):
            return len(term) * worth
        if term.startswith(word):
            found = max(found, len(word) * worth)
    return found
