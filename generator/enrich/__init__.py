"""Enrich stage: dates, paper, reporters, places, tags, topics, ids.

Each field has its own module with pure functions:

* ``people``  — bylines and datelines → reporters and paper;
* ``dates``   — issue dates, datelines, text dates, page context;
* ``places``  — the Jilin gazetteer → main cities and every place mentioned;
* ``tags``    — jieba TF-IDF keywords and controlled topics.

Keyword extraction is the costly part; with many articles it runs on every
core (``workers``). Results do not depend on the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from .. import cache
from ..merge import stable_id
from ..model import Article
from ..parallel import WarmWorker, can_fork
from . import dates, people, places, tags

PARALLEL_FROM = 400  # articles; below this, starting workers costs more than it saves


@contextmanager
def warm_worker(caches: cache.Caches, workers: int | None = None) -> Iterator[WarmWorker | None]:
    """On a rebuild, a worker process that loads the tokenizer, the IDF table
    and the gazetteer at once, while the stages before ``enrich`` run.

    A rebuild after a small change finds most articles' subjects in the memo
    and computes a few; loading what computing them needs takes about a
    second, computing them a few milliseconds. ``None`` on a first build
    (every article misses: ``enrich`` uses every core) or on one core.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or not caches["subjects"].stored or not can_fork():
        yield None
        return
    warm = WarmWorker(_warm_up)
    try:
        yield warm
    finally:
        warm.close()


def _warm_up() -> None:
    _subjects(("长春", "长春", ["吉林省长春市。"], None, None, []))


def enrich(
    articles: list[Article],
    workers: int | None = None,
    caches: cache.Caches | None = None,
    warm: WarmWorker | None = None,
) -> list[Article]:
    """Fill every metadata field of every article, in place; returns them sorted.

    ``caches``: what an article's unchanged inputs gave last time (bylines,
    dates, then places, tags and topics in one job, on every core).
    ``warm``: a worker from ``warm_worker`` for the subjects of the few
    articles that miss.
    """
    caches = caches or cache.disabled()
    memo = caches["people"]
    claims = []
    for a in articles:
        a.reporters, paper, claim, a.photographers = memo.get(
            cache.key("people", a.dateline, a.byline),
            lambda: _people(a.dateline, a.byline),  # noqa: B023
        )
        if paper:
            a.paper = paper
        claims.append(claim)
    people.resolve_paper(articles, claims)
    dates.assign_dates(articles, caches["dates"])
    _subjects_all(articles, workers, caches["subjects"], warm)
    taken: set[str] = set()
    for a in sorted(articles, key=_id_order):
        a.id = stable_id(a, taken)
        taken.add(a.id)
        a.confidence = confidence(a)
    return sorted(articles, key=lambda a: (a.date or "9999", a.id))


def _id_order(a: Article) -> tuple:
    """Deterministic order for id collisions: by content, never by input order."""
    return (a.date or "", a.title, a.text)


def _people(
    dateline: str | None, byline: str | None
) -> tuple[list[str], str | None, people.Claim, list[str]]:
    """Reporters and paper named in an article's dateline and byline, what
    they say about its paper (``people.claim_of``), and the photographers
    (the names of a photo credit, ``… 摄``)."""
    found: list[str] = []
    photographers: list[str] = []
    paper = None
    for text in (dateline, byline):
        if not text:
            continue
        parsed = people.parse_byline(text) if text == byline else _dateline_byline(text)
        if parsed:
            found.extend(parsed.reporters)
            if parsed.photo:
                photographers.extend(parsed.reporters)
            paper = paper or parsed.paper
    reporters = list(dict.fromkeys(found))
    claim = people.claim_of(dateline, byline, reporters)
    return reporters, paper, claim, list(dict.fromkeys(photographers))


def _dateline_byline(dateline: str):
    parsed = people.parse_dateline(dateline + "。")
    return parsed[2] if parsed else None


Subjects = tuple[list[str], list[str], list[str], list[str]]


def _subjects(job: tuple) -> Subjects:
    """Main cities, places, tags and topics of one article (run in a worker)."""
    heading, title, paragraphs, home, date, reporters = job
    cities, found = places.find_places(heading, paragraphs, home_city=home, date=date)
    exclude = sorted(set(reporters) | set(found))  # names are never tags
    found_tags = tags.extract_tags(title, paragraphs, exclude=exclude)
    return cities, found, found_tags, tags.assign_topics(title, paragraphs)


def _subjects_all(
    articles: list[Article],
    workers: int | None,
    memo: cache.Memo,
    warm: WarmWorker | None = None,
) -> None:
    jobs = []
    for a in articles:
        home = a.meta.city or people.paper_city(a.paper)  # 我市 in 城市晚报 is 长春
        heading = " ".join(filter(None, [a.kicker, a.title, a.subtitle]))
        jobs.append((heading, a.title, a.paragraphs, home, a.date, a.reporters))
    keys = [cache.key("subjects", *job) for job in jobs]
    results = cache.map_cached(memo, _subjects, jobs, keys, workers, PARALLEL_FROM, warm)
    for a, (cities, found, found_tags, topics) in zip(articles, results, strict=True):
        a.cities, a.places, a.tags, a.topics = cities, found, found_tags, topics


def confidence(a: Article) -> float:
    """0–1: how much a reader can rely on this text being complete and right.

    Starts at 1 and loses for each sign of trouble the pipeline recorded.
    Agreeing copies from two extractions raise it.
    """
    score = 1.0
    if a.missing_start:
        score -= 0.15
    if a.missing_end:
        score -= 0.15
    if a.title_inferred and a.kind != "photo":
        score -= 0.1
    if not a.byline and not a.dateline and a.kind not in ("report_part",):
        score -= 0.05
    repairs = sum(1 for c in a.corrections if c.rule != "join-paragraph")
    score -= min(0.2, repairs * 0.02)
    score -= min(0.2, 0.05 * len(a.warnings))
    if len(a.merged_from) > 1:
        score += 0.05
    return round(max(0.05, min(1.0, score)), 2)
