"""Every OpenCC variant in every edition (issue 18).

``extra.archive.opencc`` may be any of ``s2t``, ``s2tw``, ``s2hk``, ``s2twp``
and ``s2hkp`` (README, *Traditional edition*). For each, a small project copy
(one bundled page and an article whose words tell the variants apart) is set
to that variant and built with the real ``python -m generator site
--offline``: the Traditional pages must be in that variant, and the jieba
dictionaries the Traditional search index segments with (the files
the derived Traditional configs name, in the generator's own ``.generator-cache/``) must
be that variant's. The variants are built one after the other in the same
copy, so each build also checks that a changed variant remakes the
dictionaries.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import sitebuild

from generator import hant
from generator.hant import convert_text, dictionary_variant, jieba_dictionaries
from generator.settings import CACHE_FOLDER, OPENCC_CONFIGS

ROOT = Path(__file__).resolve().parent.parent

TITLE = "长春软件企业服务用户"
VARIANT_ARTICLE = (
    f"{TITLE}\n\n本报讯（记者王长春）长春市一家软件企业为了服务群众，在这里建设服务器集群，"
    "用户可以用鼠标在操作系统上下载视频，硬盘数据保存在数据库里，发展势头良好。\n"
)

# Words of that article and their form in each variant (official OpenCC):
# no two variants agree on all of them.
FORMS: dict[str, dict[str, str]] = {
    "软件": {"s2t": "軟件", "s2tw": "軟件", "s2hk": "軟件", "s2twp": "軟體", "s2hkp": "軟件"},
    "用户": {"s2t": "用戶", "s2tw": "用戶", "s2hk": "用户", "s2twp": "使用者", "s2hkp": "用户"},
    "群众": {"s2t": "羣衆", "s2tw": "群眾", "s2hk": "羣眾", "s2twp": "群眾", "s2hkp": "羣眾"},
    "这里": {"s2t": "這裏", "s2tw": "這裡", "s2hk": "這裏", "s2twp": "這裡", "s2hkp": "這裏"},
    "鼠标": {"s2t": "鼠標", "s2tw": "鼠標", "s2hk": "鼠標", "s2twp": "滑鼠", "s2hkp": "滑鼠"},
    "硬盘": {"s2t": "硬盤", "s2tw": "硬盤", "s2hk": "硬盤", "s2twp": "硬碟", "s2hkp": "硬碟"},
}


def _forms(variant: str) -> tuple[set[str], set[str]]:
    """The forms ``variant`` uses, and the other variants' forms it must not use."""
    mine = {forms[variant] for forms in FORMS.values()}
    others = {f for forms in FORMS.values() for v, f in forms.items() if f != forms[variant]}
    return mine, others


def test_the_words_tell_every_variant_apart() -> None:
    assert set(OPENCC_CONFIGS) == {v for forms in FORMS.values() for v in forms}
    signatures = {tuple(forms[v] for forms in FORMS.values()) for v in OPENCC_CONFIGS}
    assert len(signatures) == len(OPENCC_CONFIGS)
    for word, forms in FORMS.items():
        for variant, form in forms.items():
            assert convert_text(word, variant) == form, (word, variant)


def test_the_traditional_configs_name_the_dictionaries_the_generator_writes(
    tmp_path: Path,
) -> None:
    """The derived Traditional configs (``editions.py``) name one path per
    dictionary, the same for every variant, and never ``.cache/``."""
    from generator import editions
    from generator.settings import load_settings

    expected = {
        "jieba_dict": f"{CACHE_FOLDER}/{hant.HANT_DICTIONARIES[0]}",
        "jieba_dict_user": f"{CACHE_FOLDER}/{hant.HANT_DICTIONARIES[1]}",
    }
    settings = load_settings(ROOT)
    base = {"plugins": [{"search": {"lang": "zh"}}, {"archive": {}}], "site_name": "档案"}
    for variant in OPENCC_CONFIGS:
        settings.opencc = variant
        for edition in ("zh-Hant", "zh-Hant-offline"):
            config = editions.derive(base, edition, settings, lambda s: s, 0, tmp_path)
            search = next(p["search"] for p in config["plugins"] if "search" in p)
            assert {k: search[k] for k in expected} == expected, (variant, edition)
            assert ".cache/" not in str(config)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project copy with a two-file corpus: one bundled page and ``VARIANT_ARTICLE``."""
    corpus = tmp_path_factory.mktemp("corpus")
    first = sorted((ROOT / "corpus").glob("*.txt"))[0]
    shutil.copy2(first, corpus / first.name)
    (corpus / "variants.txt").write_text(VARIANT_ARTICLE, encoding="utf-8")
    return sitebuild.copy_project(tmp_path_factory.mktemp("project"), corpus=corpus)


def set_variant(root: Path, variant: str) -> None:
    """``opencc: VARIANT`` (the archive plugin's option) in the project's mkdocs.yml (nothing else edited)."""
    config = root / "mkdocs.yml"
    text, n = re.subn(
        r"^(\s+opencc:\s*)\S+", rf"\g<1>{variant}", config.read_text("utf-8"), flags=re.M
    )
    assert n == 1
    config.write_text(text, encoding="utf-8")


def article_page(docs: Path) -> str:
    """The path (in docs/) of the variant article's page."""
    heading = f'title: "{TITLE}"\n'  # its own page, not a page that links to it
    (page,) = [
        p for p in (docs / "articles").rglob("*.md") if heading in p.read_text(encoding="utf-8")
    ]
    return page.relative_to(docs).as_posix()


def dictionary_words(path: Path) -> set[str]:
    return {line.split(" ")[0] for line in path.read_text(encoding="utf-8").splitlines()}


@pytest.mark.parametrize("variant", OPENCC_CONFIGS)
def test_site_offline_in_each_variant(project: Path, variant: str) -> None:
    set_variant(project, variant)
    sitebuild.run_generator(project, "site", "--offline", "--quiet")
    mine, others = _forms(variant)

    # the Traditional pages: Markdown and the built offline HTML
    page = article_page(project / "docs")
    markdown = (project / "docs-hant" / page).read_text(encoding="utf-8")
    built = project / "site-offline" / "zh-Hant" / page.removesuffix(".md")
    html = built.with_suffix(".html").read_text(encoding="utf-8")
    for text in (markdown, html):
        assert all(form in text for form in mine), (variant, sorted(mine))
        assert not [form for form in others if form in text], variant
    # the Simplified edition stays Simplified
    assert TITLE in (project / "site-offline" / page.removesuffix(".md")).with_suffix(
        ".html"
    ).read_text(encoding="utf-8")

    # the Traditional search dictionaries: this variant's, at the configured paths
    cache = project / CACHE_FOLDER
    assert dictionary_variant(cache) == variant
    import jieba

    sources = (Path(jieba.__file__).parent / "dict.txt", ROOT / "generator/data/newsroom_dict.txt")
    for source, name in zip(sources, hant.HANT_DICTIONARIES, strict=True):
        words = dictionary_words(source)
        # each word in this variant (one OpenCC call: no phrase spans a line break)
        expected = set(convert_text("\n".join(sorted(words)), variant).split("\n"))
        assert dictionary_words(cache / name) == expected - {""}, (name, variant)
    assert mine <= dictionary_words(cache / hant.HANT_DICTIONARIES[0]), variant
    # the generator's cache is its own folder: an engine's --clean may empty .cache/
    assert (project / CACHE_FOLDER / "build" / "pages.memo").is_file()
    assert not (project / ".cache").exists(), "nothing written to .cache/"

    # the offline Traditional search index was segmented with them: the
    # variant's words are whole tokens
    index = json.loads(
        (project / "site-offline" / "zh-Hant" / "search" / "search_index.json").read_text("utf-8")
    )
    tokens = {
        token
        for doc in index["docs"]
        for token in re.split(r"[\s\u200b]+", doc["text"] + "\u200b" + doc["title"])
    }
    assert {FORMS["软件"][variant], FORMS["用户"][variant]} <= tokens, variant


def test_dictionaries_are_remade_only_when_the_variant_or_inputs_change(tmp_path: Path) -> None:
    settings = SimpleNamespace(root=tmp_path, opencc="s2t")
    jieba, newsroom = jieba_dictionaries(settings)
    assert jieba.parent == newsroom.parent == tmp_path / CACHE_FOLDER
    stamp = tmp_path / CACHE_FOLDER / hant.DICTIONARY_STAMP

    def mtimes() -> list[int]:
        return [p.stat().st_mtime_ns for p in (jieba, newsroom, stamp)]

    before = mtimes()
    assert jieba_dictionaries(settings) == (jieba, newsroom)
    assert mtimes() == before, "same variant, same inputs: nothing rewritten"

    settings.opencc = "s2twp"
    jieba_dictionaries(settings)
    assert dictionary_variant(tmp_path / CACHE_FOLDER) == "s2twp"
    assert "軟體" in dictionary_words(jieba) and "軟件" not in dictionary_words(jieba)

    data = json.loads(stamp.read_text(encoding="utf-8"))
    data["inputs"]["newsroom_dict.txt"] = "0" * 64  # as if the newsroom dictionary changed
    stamp.write_text(json.dumps(data), encoding="utf-8")
    newsroom.write_text("stale\n", encoding="utf-8")
    jieba_dictionaries(settings)
    assert "stale" not in dictionary_words(newsroom)

    newsroom.unlink()  # a missing dictionary is made again
    jieba_dictionaries(settings)
    assert newsroom.is_file() and dictionary_variant(tmp_path / CACHE_FOLDER) == "s2twp"
    assert not [p.name for p in (tmp_path / CACHE_FOLDER).iterdir() if p.name.endswith(".tmp")]
