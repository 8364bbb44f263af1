"""How well one program matches a query: its tier, what matched, and the text score within the tier.

The order of evidence (docs/registry.md, "How search ranks programs"):

1. `exact`: the whole query is one of the program's names or counted keywords;
2. `name-start`: a name begins with the whole query, as whole words;
3. `all-words`: every query word is a whole word of the program (a Chinese
   query: its characters in a row);
4. `prefixes`: every word matches, some only as the start of a longer word;
5. `typos`: every word matches, some only within the typo budget;
6. `some-words`: no program has every word, this one has some.

A program in a better tier always ranks above one in a worse tier. Within a
tier, `text` decides: where the words matched (a name beats a keyword beats
a description), how much of a name the query covers, and how early in that
name the match starts. Usage and freshness then lift `text` by a bounded
factor (ranking.py), never across tiers.

Both databases only find candidates; this module judges every candidate the
same way whichever database found it, so SQLite and PostgreSQL order alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXACT, NAME_START, ALL_WORDS, PREFIXES, TYPOS, SOME_WORDS = 1, 2, 3, 4, 5, 6
TIER_NAMES = {
    EXACT: "exact",
    NAME_START: "name-start",
    ALL_WORDS: "all-words",
    PREFIXES: "prefixes",
    TYPOS: "typos",
    SOME_WORDS: "some-words",
}

#: Where a word matched, as a share of the `field` part.
FIELD_WEIGHTS = {"name": 1.0, "keyword": 0.6, "description": 0.2}
#: How the text score is made of its parts (they sum to 1, so text is in [0, 1]).
FIELD_SHARE, COVERAGE_SHARE, POSITION_SHARE = 0.5, 0.35, 0.15

_FIELDS = ("name", "keyword", "description")
_HOW = ("exact", "prefix", "typo")


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


@dataclass(frozen=True)
class Query:
    words: list[Word]

    @classmethod
    def of(cls, words: list[list[str]]) -> Query:
        # A Latin word may be the start of a longer one; a Chinese run is a phrase.
        return cls([Word(tuple(terms), prefix=len(terms) == 1) for terms in words])

    @property
    def phrase(self) -> str:
        """The whole query as a stored name or keyword would read (text.phrase)."""
        return " ".join(term for word in self.words for term in word.terms)


@dataclass(frozen=True)
class Match:
    word: str  # as the query had it (folded)
    term: str  # the program's term it matched
    field: str  # name, keyword or description
    how: str  # exact, prefix or typo

    def as_dict(self) -> dict[str, str]:
        return {"word": self.word, "term": self.term, "field": self.field, "how": self.how}


@dataclass(frozen=True)
class Judgement:
    tier: int
    matches: tuple[Match, ...]
    field: float  # where the words matched, in [0, 1]
    coverage: float  # the share of the best name's letters the query covers
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
    whole = query.phrase
    if whole in names or whole in keywords:
        tier = EXACT
    elif any(name.startswith(whole + " ") for name in names):
        tier = NAME_START
    elif any(match is None for match in matches):
        tier = SOME_WORDS
    else:
        worst = max(_HOW.index(match.how) for match in matches if match is not None)
        tier = (ALL_WORDS, PREFIXES, TYPOS)[worst]
    found = tuple(match for match in matches if match is not None)
    field_part = sum(FIELD_WEIGHTS[match.field] for match in found) / len(matches)
    coverage, position = _best_name(query, found, names)
    return Judgement(tier, found, field_part, coverage, position)


def _padded(phrases: list[str]) -> str:
    # " | " between phrases: no word, prefix or Chinese run matches across two names.
    return " " + " | ".join(phrases) + " "


def _match(word: Word, texts: dict[str, str]) -> Match | None:
    """The best way `word` matches: exact before prefix before typo; within each, name before keyword before description."""
    exact = " " + " ".join(word.terms) + " "
    for name in _FIELDS:
        if exact in texts[name]:
            return Match(word.text, word.text, name, "exact")
    if word.prefix:
        needle = " " + word.terms[0]
        for name in _FIELDS:
            text = texts[name]
            at = text.find(needle)
            if at >= 0:
                return Match(word.text, text[at + 1 : text.index(" ", at + 1)], name, "prefix")
    for _, term in word.near:
        for name in _FIELDS:
            if f" {term} " in texts[name]:
                return Match(word.text, term, name, "typo")
    return None


def _best_name(query: Query, matches: tuple[Match, ...], names: list[str]) -> tuple[float, float]:
    """(coverage, position) of the name the query covers best."""
    whole: set[str] = set()  # name terms matched whole
    prefixes: list[str] = []  # typed starts of longer name terms
    for match in matches:
        if match.how == "prefix":
            prefixes.append(match.word)
        elif match.how == "typo":
            whole.add(match.term)
        else:
            whole.update(next(word.terms for word in query.words if word.text == match.word))
    best = (0.0, 0.0)
    for name in names:
        terms = name.split(" ")
        total = sum(len(term) for term in terms) or 1
        covered, first = 0, None
        for index, term in enumerate(terms):
            if term in whole:
                letters = len(term)
            else:
                letters = max((len(prefix) for prefix in prefixes if term.startswith(prefix)), default=0)
            if letters:
                covered += letters
                first = index if first is None else first
        if first is not None:
            best = max(best, (covered / total, 1 / (1 + first)))
    return best
