"""Registry figures for `capsule bench`: search latency over a large catalogue,
publish time for a 20 MB package, and search requests per second over HTTP.

Everything runs in a temporary CAPSULE_HOME (database, blobs, keys, compile
cache). Only the hello sample is built in the bench's own home, as the rest
of the bench builds its programs.

- Search: 100,000 generated programs (seeded, so every run indexes the same
  catalogue) with names, descriptions and keywords in English, Chinese, Dutch,
  German and French. Each one is a real manifest turned into a document by
  `document_from_manifest` and inserted with `SearchIndex.put_many` in
  batches, not through publish: publishing 100,000 packages would measure
  packing, not search. Queries mix whole words, prefixes, typos, Chinese and
  two-word queries, half of them with a category filter, on SQLite FTS5.
- Publish: the hello source package padded with an incompressible asset to ~20 MB,
  signed with a key registered to a dev account, uploaded to a live uvicorn on
  loopback; timed from the first byte sent to the answer (upload, verification,
  storage). The audit and precompile run after the answer and are not timed.
- HTTP search: an open-loop load of 200 requests/s from a separate process
  against that uvicorn; latency counts from when a request was due, so a
  server that falls behind shows it in p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlencode

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime.database import Database
from capsule.runtime.home import Home
from capsule.runtime.manifest import Manifest
from capsule.runtime.package import load_signing_key, open_package, pack_members
from capsule.runtime.registry import Registry
from capsule.runtime.registry.app import create_app
from capsule.runtime.registry.client import RegistryClient
from capsule.runtime.registry.server import setup_dev
from capsule.runtime.search import SearchDocument, SearchIndex, document_from_manifest
from capsule.sdk.toolchain.build import build_program

from .programs import HELLO
from .stats import percentile

SEED = 20261124
LANGUAGES = ("en", "nl", "de", "fr", "zh-Hans")
TARGET_SEARCH_MS_P95 = 15.0
TARGET_PUBLISH_S = 2.0
TARGET_HTTP_P99_MS = 50.0
HTTP_RATE = 200.0
PACKAGE_BYTES = 20 * 1000 * 1000
#: For the bench table: key -> (comparison, bound).
TARGET_MRR_AT_10 = 0.95
TARGET_SUCCESS_AT_1 = 0.92
#: A PostgreSQL URL here makes the bench also time search over the same catalogue on PostgreSQL.
POSTGRES_ENV = "CAPSULE_BENCH_POSTGRES"
REGISTRY_TARGETS = {
    "search_ms_p95_100k": ("<=", TARGET_SEARCH_MS_P95),
    "search_mrr_at_10": (">=", TARGET_MRR_AT_10),
    "search_success_at_1": (">=", TARGET_SUCCESS_AT_1),
    "publish_s_20mb": ("<=", TARGET_PUBLISH_S),
    "search_http_p99_ms_at_200rps": ("<=", TARGET_HTTP_P99_MS),
}

# -- the catalogue -------------------------------------------------------------

# category | en | nl | de | fr | zh: what programs are about, in five languages.
_CONCEPTS = """
food|coffee|koffie|Kaffee|café|咖啡
food|bakery|bakkerij|Bäckerei|boulangerie|面包店
food|pizza|pizza|Pizza|pizza|披萨
food|restaurant|restaurant|Restaurant|restaurant|餐厅
food|tea|thee|Tee|thé|奶茶
food|noodles|noedels|Nudeln|nouilles|面条
food|sushi|sushi|Sushi|sushi|寿司
food|groceries|boodschappen|Lebensmittel|épicerie|生鲜
food|burgers|burgers|Burger|burgers|汉堡
food|dumplings|dumplings|Teigtaschen|raviolis|饺子
shopping|fashion|mode|Mode|mode|时装
shopping|shoes|schoenen|Schuhe|chaussures|鞋店
shopping|books|boeken|Bücher|livres|书店
shopping|flowers|bloemen|Blumen|fleurs|鲜花
shopping|electronics|elektronica|Elektronik|électronique|数码
shopping|furniture|meubels|Möbel|meubles|家具
shopping|market|markt|Markt|marché|市场
travel|hotel|hotel|Hotel|hôtel|酒店
travel|flights|vluchten|Flüge|vols|机票
travel|camping|camping|Camping|camping|露营
travel|museum|museum|Museum|musée|博物馆
travel|tours|rondleidingen|Führungen|visites|旅游
transport|taxi|taxi|Taxi|taxi|出租车
transport|bicycle|fiets|Fahrrad|vélo|单车
transport|parking|parkeren|Parkplatz|stationnement|停车
transport|train|trein|Bahn|train|火车
transport|bus|bus|Bus|bus|公交
transport|scooter|scooter|Roller|trottinette|电动车
finance|payments|betalingen|Zahlungen|paiements|支付
finance|bills|rekeningen|Rechnungen|factures|账单
finance|savings|sparen|Sparkonto|épargne|储蓄
finance|insurance|verzekering|Versicherung|assurance|保险
finance|budget|budget|Haushaltsbuch|budget|记账
tools|calculator|rekenmachine|Rechner|calculatrice|计算器
tools|notes|notities|Notizen|notes|笔记
tools|translator|vertaler|Übersetzer|traducteur|翻译
tools|scanner|scanner|Scanner|scanner|扫描
tools|calendar|agenda|Kalender|calendrier|日历
education|languages|talen|Sprachen|langues|语言
education|mathematics|wiskunde|Mathematik|mathématiques|数学
education|library|bibliotheek|Bibliothek|bibliothèque|图书馆
education|courses|cursussen|Kurse|cours|课程
games|puzzles|puzzels|Rätsel|puzzles|拼图
games|chess|schaken|Schach|échecs|象棋
games|quiz|quiz|Quiz|quiz|答题
games|cards|kaarten|Karten|cartes|纸牌
health|pharmacy|apotheek|Apotheke|pharmacie|药店
health|doctor|huisarts|Arzt|médecin|医生
health|fitness|fitness|Fitness|fitness|健身
health|yoga|yoga|Yoga|yoga|瑜伽
health|dentist|tandarts|Zahnarzt|dentiste|牙医
lifestyle|barber|kapper|Friseur|coiffeur|理发
lifestyle|laundry|wasserette|Wäscherei|laverie|洗衣
lifestyle|pets|huisdieren|Haustiere|animaux|宠物
lifestyle|garden|tuin|Garten|jardin|园艺
social|chat|chatten|Chat|discussion|聊天
social|events|evenementen|Veranstaltungen|événements|活动
social|meetups|meetups|Treffen|rencontres|交友
social|envelopes|enveloppen|Umschläge|enveloppes|红包
entertainment|cinema|bioscoop|Kino|cinéma|电影
entertainment|concerts|concerten|Konzerte|concerts|演唱会
entertainment|music|muziek|Musik|musique|音乐
entertainment|karaoke|karaoke|Karaoke|karaoké|唱歌
entertainment|theatre|theater|Theater|théâtre|剧院
government|permits|vergunningen|Genehmigungen|permis|许可证
government|taxes|belastingen|Steuern|impôts|税务
government|passport|paspoort|Reisepass|passeport|护照
government|recycling|afval|Müllabfuhr|déchets|垃圾分类
utilities|electricity|elektriciteit|Strom|électricité|电费
utilities|water|water|Wasser|eau|水费
utilities|weather|weer|Wetter|météo|天气
utilities|internet|internet|Internet|internet|宽带
"""

# category | en | nl | de | fr | zh: what one does there (keywords and descriptions).
_ACTIONS = """
food|order|bestellen|bestellen|commander|点餐
shopping|shop|winkelen|einkaufen|acheter|购物
travel|book|boeken|buchen|réserver|预订
transport|ride|rijden|fahren|rouler|出行
finance|pay|betalen|bezahlen|payer|缴费
tools|organise|organiseren|organisieren|organiser|工具
education|learn|leren|lernen|apprendre|学习
games|play|spelen|spielen|jouer|游戏
health|appointment|afspraak|Termin|rendez-vous|预约
lifestyle|book|reserveren|reservieren|réserver|预约
social|share|delen|teilen|partager|分享
entertainment|tickets|kaartjes|Tickets|billets|购票
government|apply|aanvragen|beantragen|demander|办事
utilities|check|bekijken|prüfen|consulter|查询
"""

# en | nl | de | fr | zh
_CITIES = """
Amsterdam|Amsterdam|Amsterdam|Amsterdam|阿姆斯特丹
Rotterdam|Rotterdam|Rotterdam|Rotterdam|鹿特丹
Utrecht|Utrecht|Utrecht|Utrecht|乌得勒支
Brussels|Brussel|Brüssel|Bruxelles|布鲁塞尔
Berlin|Berlijn|Berlin|Berlin|柏林
Munich|München|München|Munich|慕尼黑
Hamburg|Hamburg|Hamburg|Hambourg|汉堡市
Paris|Parijs|Paris|Paris|巴黎
Lyon|Lyon|Lyon|Lyon|里昂
Zurich|Zürich|Zürich|Zurich|苏黎世
London|Londen|London|Londres|伦敦
Shanghai|Shanghai|Shanghai|Shanghai|上海
Beijing|Peking|Peking|Pékin|北京
Shenzhen|Shenzhen|Shenzhen|Shenzhen|深圳
Hangzhou|Hangzhou|Hangzhou|Hangzhou|杭州
Chengdu|Chengdu|Chengdu|Chengdu|成都
"""

_TEMPLATES = {
    "en": (
        "{b} brings {c} to {t}: browse, {a} and pay in the app.",
        "Find {c} near you in {t}. Opening hours, prices, reviews and {a} in a few taps.",
        "{C} made simple: {a} with {b} and skip the queue.",
        "Your favourite {c} in {t}, with offers, loyalty points and {a} every day.",
    ),
    "nl": (
        "{b} brengt {c} naar {t}: bekijk, {a} en betaal in de app.",
        "Vind {c} bij jou in de buurt in {t}. Openingstijden, prijzen, reviews en {a}.",
        "{C} zonder gedoe: {a} bij {b} en sla de rij over.",
        "Jouw favoriete {c} in {t}, met aanbiedingen, spaarpunten en {a}.",
    ),
    "de": (
        "{b} bringt {c} nach {t}: stöbern, {a} und in der App bezahlen.",
        "Finde {c} in deiner Nähe in {t}. Öffnungszeiten, Preise, Bewertungen und {a}.",
        "{C} ganz einfach: {a} bei {b}, ohne anzustehen.",
        "Dein Lieblingsort für {c} in {t}, mit Angeboten, Treuepunkten und {a}.",
    ),
    "fr": (
        "{b} apporte {c} à {t} : parcourez, {a} et payez dans l'application.",
        "Trouvez {c} près de chez vous à {t}. Horaires, prix, avis et {a}.",
        "{C} en toute simplicité : {a} avec {b} sans faire la queue.",
        "Votre adresse préférée pour {c} à {t}, avec des offres, des points fidélité et {a}.",
    ),
    "zh-Hans": (
        "{b}为{t}带来{c}：浏览、{a}，在应用内付款。",
        "查找{t}附近的{c}，营业时间、价格、评价和{a}。",
        "轻松享受{c}：在{b}{a}，无需排队。",
        "{t}最受欢迎的{c}，优惠、积分和{a}。",
    ),
}

#: A second concept of the same category, added to a description.
_ALSO = {"en": " Also {o}.", "nl": " Ook {o}.", "de": " Auch {o}.", "fr": " Aussi : {o}.", "zh-Hans": "还有{o}。"}

_SYLLABLES = "ka ri mo la zu ne vo ta shi lu mi ra den bel kor fin sa to ve lo an pi ro nu el da qu xi zen bo".split()
_ZH_BRAND = "金福乐美华盛鑫泰安康宜家佳悦新星云海山青禾田子小大好味香鲜老王李张"


@dataclass(frozen=True)
class Concept:
    category: str
    words: dict[str, str]  # language -> word


def _table(text: str) -> list[list[str]]:
    return [line.split("|") for line in text.strip().splitlines()]


CONCEPTS = [Concept(row[0], dict(zip(LANGUAGES, row[1:]))) for row in _table(_CONCEPTS)]
ACTIONS = {row[0]: dict(zip(LANGUAGES, row[1:])) for row in _table(_ACTIONS)}
CITIES = [dict(zip(LANGUAGES, row)) for row in _table(_CITIES)]


def _brand(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4)))).capitalize()


def _languages(rng: random.Random) -> list[str]:
    # Most programs ship English plus a few of the others; some are Chinese only.
    if rng.random() < 0.1:
        return ["zh-Hans"]
    return ["en"] + [language for language in LANGUAGES[1:] if rng.random() < 0.45]


def _name(language: str, brand: str, brand_zh: str, concept: str, city: str, style: int) -> str:
    if language == "zh-Hans":
        return (brand_zh + concept, city + concept, city + brand_zh + concept)[style]
    concept = concept[:1].upper() + concept[1:]
    if language == "fr":
        return (f"{concept} {brand}", f"{concept} {city}", f"{brand} {city}")[style]
    return (f"{brand} {concept}", f"{city} {concept}", f"{brand} {concept} {city}")[style][:40]


def generated_manifest(index: int, rng: random.Random, brands: list[str]) -> dict[str, Any]:
    """One plausible program: a brand, one or two concepts of a category, a city."""
    concept = rng.choice(CONCEPTS)
    extra = rng.choice([c for c in CONCEPTS if c.category == concept.category])
    brand = rng.choice(brands)
    brand_zh = rng.choice(_ZH_BRAND) + rng.choice(_ZH_BRAND)
    city, style, template = rng.choice(CITIES), rng.randrange(3), rng.randrange(4)
    action = ACTIONS[concept.category]
    languages = _languages(rng)
    names, descriptions, keywords = {}, {}, {}
    for language in languages:
        word, other = concept.words[language], extra.words[language]
        names[language] = _name(language, brand, brand_zh, word, city[language], style)
        b = brand_zh if language == "zh-Hans" else brand
        text = _TEMPLATES[language][template].format(b=b, c=word, C=word[:1].upper() + word[1:], t=city[language], a=action[language])
        descriptions[language] = text + _ALSO[language].format(o=other) if other != word else text
        keywords[language] = sorted({word, other, action[language], city[language]})
    default = languages[0]
    return {
        "id": f"com.{brand.lower()}{index}.{concept.words['en']}",
        "version": f"1.{index % 7}.{index % 3}",
        "default_locale": default,
        "name": names,
        "description": descriptions,
        "keywords": keywords,
        "category": concept.category,
        "pages": [{"name": "index", "title": {default: action[default]}}],
    }


def corpus_documents(n: int, *, seed: int = SEED, now: float | None = None) -> Iterator[SearchDocument]:
    """`n` search documents, the same ones for the same seed and `now`."""
    rng = random.Random(seed)
    now = time.time() if now is None else now
    # Fewer brands than programs: chains reuse a name across cities and apps.
    brands = sorted({_brand(rng) for _ in range(max(10, n // 3))})
    for index in range(n):
        # The generator only writes valid manifests, so the model alone is
        # checked here; load_manifest's schema pass would triple the time.
        manifest = Manifest.model_validate(generated_manifest(index, rng, brands))
        yield document_from_manifest(manifest, released_at=now - rng.random() * 365 * 86400)


def build_index(database: Database, n: int, *, batch: int = 2000, seed: int = SEED) -> tuple[SearchIndex, float]:
    """Index `n` generated programs in batches; (index, seconds it took)."""
    index = SearchIndex(database)
    started = time.perf_counter()
    pending: list[SearchDocument] = []
    ids: list[str] = []
    for document in corpus_documents(n, seed=seed):
        pending.append(document)
        ids.append(document.app_id)
        if len(pending) == batch:
            index.put_many(pending)
            pending = []
    if pending:
        index.put_many(pending)
    _seed_launches(index, ids, seed)
    index.optimize()  # as after any bulk load: one full-text segment instead of dozens
    return index, time.perf_counter() - started


def _seed_launches(index: SearchIndex, ids: list[str], seed: int) -> None:
    # A fifth of the catalogue has been launched, a few programs a lot: ranking
    # reads these counts, so an empty table would flatter it. Loaded in one
    # transaction, as record_launch would be one transaction per launch.
    rng = random.Random(seed + 1)
    now = time.time()
    index.load_launches({app_id: (rng.paretovariate(1.2), now) for app_id in ids if rng.random() < 0.2})


# -- queries -------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str  # word, prefix, typo, chinese, two-words
    text: str
    category: str | None


def _typo(word: str, rng: random.Random) -> str:
    """One edit a hurried thumb makes: a swap, a dropped, doubled or wrong letter."""
    i = rng.randrange(1, len(word) - 1)
    edit = rng.randrange(4)
    if edit == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit == 1:
        return word[:i] + word[i + 1 :]
    if edit == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiourstn".replace(word[i], "")) + word[i + 1 :]


def search_queries(n: int, *, seed: int = SEED) -> list[Query]:
    """`n` queries of five kinds, half of them filtered by category."""
    rng = random.Random(seed + 2)
    latin = [language for language in LANGUAGES if language != "zh-Hans"]
    queries = []
    for i in range(n):
        concept = rng.choice(CONCEPTS)
        word = concept.words[rng.choice(latin)].lower()
        kind = ("word", "prefix", "typo", "chinese", "two-words")[i % 5]
        if kind == "prefix":
            text = word[: rng.choice((3, 4))]
        elif kind == "typo":
            long = [w.lower() for w in concept.words.values() if len(w) >= 5 and w.isalpha() and w.isascii()]
            text = _typo(rng.choice(long), rng) if long else word
        elif kind == "chinese":
            text = concept.words["zh-Hans"] if rng.random() < 0.7 else rng.choice(CITIES)["zh-Hans"] + concept.words["zh-Hans"]
        elif kind == "two-words":
            text = f"{word} {rng.choice(CITIES)['en'].lower()}"
        else:
            text = word
        queries.append(Query(kind, text, concept.category if rng.random() < 0.5 else None))
    return queries


def search_latency_ms(index: SearchIndex, queries: list[Query], *, rounds: int = 1) -> dict[str, Any]:
    """p50/p95 in milliseconds over every query, overall and per kind.

    Wall time is what a user waits; the CPU time of this thread is printed
    beside it, so a machine busy with other work shows as the gap between them.
    """
    for query in queries[:20]:  # warm the page cache and the statement cache
        index.search(query.text, category=query.category)
    samples: dict[str, list[float]] = {}
    cpu: list[float] = []
    for _ in range(rounds):
        for query in queries:
            started, started_cpu = time.perf_counter(), time.thread_time()
            index.search(query.text, category=query.category)
            cpu.append((time.thread_time() - started_cpu) * 1e3)
            samples.setdefault(query.kind, []).append((time.perf_counter() - started) * 1e3)
    every = [sample for kind in samples.values() for sample in kind]
    return {
        "p50": statistics.median(every),
        "p95": percentile(every, 0.95),
        "cpu_p50": statistics.median(cpu),
        "cpu_p95": percentile(cpu, 0.95),
        "by_kind": {kind: round(percentile(values, 0.95), 3) for kind, values in sorted(samples.items())},
    }


# -- a live registry -------------------------------------------------------------


class BenchRegistry(Registry):
    """The registry as served, minus the audit after each upload.

    The audit reads the package again after the answer has gone out: it is
    not part of the publish figure, and on two cores it would only slow down
    whatever is measured next.
    """

    def audit_version(self, version_id: int) -> None:
        return None


def _serve(root: Path, fd: int) -> None:
    """The server process: the registry in `root` on the listening socket `fd`."""
    import uvicorn

    home = Home.resolve(root)
    registry = BenchRegistry(home, Database.open(home=home))
    # Not uvicorn.run(fd=...): that takes the socket for a Unix one, so asyncio
    # leaves Nagle on and every answer waits ~40 ms for a delayed ACK.
    server = uvicorn.Server(uvicorn.Config(create_app(registry), log_level="warning"))
    server.run(sockets=[socket.socket(fileno=fd)])


@dataclass(frozen=True)
class LiveRegistry:
    url: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time the server process has used so far (Linux), None elsewhere."""
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@contextmanager
def live_registry(root: Path) -> Iterator[LiveRegistry]:
    """uvicorn serving the registry in `root` on a free loopback port, in its own process."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))  # the kernel picks a free port; the child inherits the bound socket
    listener.listen(256)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    fd = listener.fileno()
    server = subprocess.Popen(
        [sys.executable, "-m", "capsule.bench.registry", "serve", str(root), str(fd)], pass_fds=[fd]
    )
    listener.close()
    try:
        _wait_until_up(url, server)
        yield LiveRegistry(url, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the bench registry exited with status {server.returncode} before it answered")
        try:
            if httpx.get(f"{url}/key", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the bench registry at {url} did not answer within {timeout:.0f} s")


# -- publish ---------------------------------------------------------------------


def padded_package(
    out: Path, files: dict[str, bytes], key: Ed25519PrivateKey, *, version: str, padding: int, seed: int = SEED
) -> Path:
    """The hello program signed by `key`, with `padding` random bytes as an asset.

    Random bytes do not compress, so the package grows by as much as the asset
    and every byte of it is uploaded, read back and hashed: the worst case
    for a package of its size.
    """
    manifest = json.loads((HELLO / "manifest.json").read_text())
    manifest["version"] = version
    members = {**files, "manifest.json": json.dumps(manifest).encode()}
    members["assets/padding.bin"] = random.Random(seed).randbytes(padding)
    return pack_members(out, members, key).path


def publish_seconds(url: str, token: str, package: Path) -> float:
    """Wall time of one upload through the HTTP API, until the registry answered it stored."""
    client = RegistryClient(url, token, timeout=120.0)
    try:
        started = time.perf_counter()
        version = client.publish(package)
        elapsed = time.perf_counter() - started
    finally:
        client.close()
    if version.get("status") != "auditing":
        raise RuntimeError(f"the bench registry did not store the upload: {version}")
    return elapsed


# -- HTTP load -------------------------------------------------------------------


class _Closed(Exception):
    """The server closed the connection before answering."""


class _Connections:
    """Keep-alive HTTP/1.1 connections to one server, for GETs answered with a Content-Length.

    Not httpx: its async client spends ~4 ms of CPU per request here, which on
    two cores would be the load generator measuring itself; this costs a
    tenth of that.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, target: str) -> int:
        """GET `target` (path and query), read the whole answer; its status.

        A kept-alive connection the server has closed meanwhile (uvicorn
        closes one idle for 5 s) fails before any answer; the GET is then
        sent again on a new connection, as HTTP clients do for a GET. The
        time that takes is still counted (latency runs from when it was due).
        """
        if self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self._exchange(reader, writer, target)
            except _Closed:
                pass
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            return await self._exchange(reader, writer, target)
        except _Closed as closed:
            raise closed.__cause__ from None

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: str) -> int:
        try:
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                if isinstance(error, asyncio.IncompleteReadError) and error.partial:
                    raise
                raise _Closed from error  # not one byte of an answer
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _open_loop(url: str, targets: list[str], rate: float, seconds: float) -> dict[str, Any]:
    """Send `rate` requests a second for `seconds`, whatever the answers do (open loop)."""
    address = httpx.URL(url)
    connections = _Connections(address.host, address.port or 80)
    total = int(rate * seconds)
    latencies: list[float] = []
    failures = 0
    for target in targets[:8]:  # warm the server's caches
        await connections.get(target)

    async def one(target: str, due: float) -> None:
        nonlocal failures
        try:
            ok = await connections.get(target) == 200
        except (OSError, ValueError, StopIteration, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            ok = False
        if ok:
            # From when the request was due, not when it was sent: a client
            # that fell behind must not hide a slow server.
            latencies.append(time.perf_counter() - due)
        else:
            failures += 1

    started, cpu = time.perf_counter(), time.process_time()
    tasks = []
    for i in range(total):
        due = started + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(targets[i % len(targets)], due)))
    await asyncio.gather(*tasks)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    connections.close()
    latencies.sort()
    return {
        "sent": total,
        "ok": len(latencies),
        "failed": failures,
        "achieved_rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1e3 if latencies else float("inf"),
        "p99_ms": percentile(latencies, 0.99) * 1e3 if latencies else float("inf"),
        "client_cpu_s": cpu,
    }


def http_search_load(url: str, queries: list[Query], *, rate: float, seconds: float) -> dict[str, Any]:
    """Run the open-loop load in another process, so it does not share the GIL of the caller."""
    targets = [
        "/search?" + urlencode({"q": q.text, "limit": "20", **({"category": q.category} if q.category else {})})
        for q in queries
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"url": url, "targets": targets, "rate": rate, "seconds": seconds}, spec)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "capsule.bench.registry", "load", spec.name],
            capture_output=True, text=True, timeout=seconds + 120, check=False,
        )
    finally:
        os.unlink(spec.name)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


# -- all together ------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    programs: int
    queries: int
    rounds: int  # times each query is timed in process
    publishes: int
    package_bytes: int
    load_seconds: float
    rate: float = HTTP_RATE


FULL = Sizes(programs=100_000, queries=300, rounds=2, publishes=3, package_bytes=PACKAGE_BYTES, load_seconds=10.0)
QUICK = Sizes(programs=5_000, queries=150, rounds=1, publishes=1, package_bytes=PACKAGE_BYTES, load_seconds=3.0)


def registry_figures(*, quick: bool, home: Home | None = None, sizes: Sizes | None = None, progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """The registry's figures; every bit of state lives in a temporary directory.

    `home` only provides the build cache for the hello package.
    """
    sizes = sizes or (QUICK if quick else FULL)
    with tempfile.TemporaryDirectory(prefix="capsule-bench-registry-") as tmp:
        built = build_program(HELLO, home=home or Home.resolve(), out_dir=Path(tmp) / "hello")
        files = dict(open_package(built.package).files)
        # The built package is the source and the icon; the padding makes up the rest.
        padding = max(0, sizes.package_bytes - built.package.stat().st_size)
        root = Path(tmp) / "home"
        registry_home = Home.resolve(root)
        database = Database.open(home=registry_home)
        progress(f"indexing {sizes.programs:,} generated programs")
        index, index_seconds = build_index(database, sizes.programs)
        progress("timing searches in process")
        queries = search_queries(sizes.queries)
        latency = search_latency_ms(index, queries, rounds=sizes.rounds)
        progress("ranking the labelled evaluation set")
        quality = _quality(Path(tmp))
        postgres = _postgres_latency(sizes, queries, progress) if os.environ.get(POSTGRES_ENV) else {}
        with live_registry(root) as server:
            url = server.url
            credentials = setup_dev(Registry(registry_home, database), url)
            key = load_signing_key(registry_home)
            progress(f"packing {sizes.publishes} padded package(s)")
            packages = [
                padded_package(Path(tmp) / f"padded-{i}.capsule", files, key, version=f"1.0.{i}", padding=padding)
                for i in range(sizes.publishes)
            ]
            progress("publishing through uvicorn")
            publishes = [publish_seconds(url, credentials.token or "", package) for package in packages]
            progress(f"{sizes.rate:.0f} searches/s over HTTP for {sizes.load_seconds:.0f} s")
            cpu = server.cpu_seconds()
            machine_load = _load_average()
            load = http_search_load(url, queries, rate=sizes.rate, seconds=sizes.load_seconds)
            if cpu is not None:
                cpu = (server.cpu_seconds() or cpu) - cpu
        database.close()
        package_mb = statistics.median(package.stat().st_size for package in packages) / 1e6
    return {
        **quality,
        **postgres,
        "search_ms_p95_100k": round(latency["p95"], 3),
        "search_ms_p50_100k": round(latency["p50"], 3),
        "search_ms_p95_by_kind": latency["by_kind"],
        "search_cpu_ms_p50": round(latency["cpu_p50"], 3),
        "search_cpu_ms_p95": round(latency["cpu_p95"], 3),
        "search_programs": sizes.programs,
        "search_index_s": round(index_seconds, 1),
        "publish_s_20mb": round(statistics.median(publishes), 3),
        "publish_samples_s": [round(seconds, 3) for seconds in publishes],
        "publish_package_mb": round(package_mb, 2),
        "search_http_p99_ms_at_200rps": round(load["p99_ms"], 2),
        "search_http_p50_ms": round(load["p50_ms"], 2),
        "search_http_rps": round(load["achieved_rps"], 1),
        "search_http_failed": load["failed"],
        # What one search costs the server, HTTP included: two free cores serve at most 2000 / this per second.
        "search_http_server_cpu_ms": round(cpu / max(1, load["ok"]) * 1e3, 2) if cpu is not None else None,
        "search_http_load": {"rate": sizes.rate, "seconds": sizes.load_seconds, "requests": load["sent"]},
        # What else the machine was doing: on two cores, other work shows in these figures.
        "search_http_load_average": machine_load,
    }


def _quality(tmp: Path) -> dict[str, Any]:
    """MRR@10 and success@1 on the labelled set (bench/search_quality.py), in a database of its own."""
    from .search_quality import EVALUATION, quality_figures

    if not (EVALUATION / "queries.tsv").is_file():
        # An installed distribution has no tests folder: the figures need a checkout.
        return {"search_mrr_at_10": None, "search_success_at_1": None, "search_quality_note": f"no evaluation set at {EVALUATION}"}
    database = Database.open(f"sqlite:///{tmp / 'evaluation.db'}")
    try:
        figures = quality_figures(database)
    finally:
        database.close()
    figures["search_quality_misses"] = [f"{miss['query']} (rank {miss['rank']})" for miss in figures["search_quality_misses"]]
    return figures


def _postgres_latency(sizes: Sizes, queries: list[Query], progress: Callable[[str], None]) -> dict[str, Any]:
    """The in-process search figures again on PostgreSQL (`CAPSULE_BENCH_POSTGRES`), in a schema dropped afterwards."""
    from capsule.runtime.database.scratch import scratch_schema

    with scratch_schema(os.environ[POSTGRES_ENV], prefix="capsule_bench") as url:
        database = Database.open(url)
        try:
            progress(f"indexing {sizes.programs:,} generated programs on PostgreSQL")
            index, seconds = build_index(database, sizes.programs)
            with database.transaction() as connection:
                connection.exec_driver_sql("ANALYZE")
            progress("timing searches in process on PostgreSQL")
            latency = search_latency_ms(index, queries, rounds=sizes.rounds)
        finally:
            database.close()
    return {
        "search_ms_p95_100k_postgresql": round(latency["p95"], 3),
        "search_ms_p50_100k_postgresql": round(latency["p50"], 3),
        "search_ms_p95_by_kind_postgresql": latency["by_kind"],
        "search_index_s_postgresql": round(seconds, 1),
    }


def search_quality_target_met(figures: dict[str, Any]) -> bool:
    """MRR@10 >= 0.95 and success@1 >= 0.92 on the labelled set (False when it could not run)."""
    mrr, success = figures.get("search_mrr_at_10"), figures.get("search_success_at_1")
    return mrr is not None and success is not None and mrr >= TARGET_MRR_AT_10 and success >= TARGET_SUCCESS_AT_1


def _load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (Unix), None elsewhere."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def registry_http_target_met(figures: dict[str, Any]) -> bool:
    """Every request answered, at the offered rate, with p99 <= 50 ms."""
    rate = figures["search_http_load"]["rate"]
    return (
        figures["search_http_p99_ms_at_200rps"] <= TARGET_HTTP_P99_MS
        and figures["search_http_failed"] == 0
        and figures["search_http_rps"] >= 0.97 * rate  # the last answers land a little after the last request
    )


def registry_targets_met(figures: dict[str, Any]) -> bool:
    """The targets: search p95 <= 15 ms, MRR@10 >= 0.95 and success@1 >= 0.92 on the labelled set,
    publish <= 2 s, 200 searches/s over HTTP with p99 <= 50 ms."""
    return (
        figures["search_ms_p95_100k"] <= TARGET_SEARCH_MS_P95
        and search_quality_target_met(figures)
        and figures["publish_s_20mb"] <= TARGET_PUBLISH_S
        and registry_http_target_met(figures)
    )


def _main(argv: list[str]) -> None:
    """The bench's child processes: `serve ROOT FD` and `load SPEC.json`."""
    parser = argparse.ArgumentParser(prog="python -m capsule.bench.registry")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve")
    serve.add_argument("root", type=Path)
    serve.add_argument("fd", type=int)
    load = commands.add_parser("load")
    load.add_argument("spec", type=Path)
    arguments = parser.parse_args(argv)
    if arguments.command == "serve":
        _serve(arguments.root, arguments.fd)
    else:
        spec = json.loads(arguments.spec.read_text())
        result = asyncio.run(_open_loop(spec["url"], spec["targets"], spec["rate"], spec["seconds"]))
        sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    _main(sys.argv[1:])
