"""Shared pytest hooks."""

import sys


def pytest_terminal_summary(terminalreporter):
    """Print the tally kept in ``BAD_INPUT_TALLY`` by tests/test_read.py, if it ran."""
    for name, module in list(sys.modules.items()):
        if name.rsplit(".", 1)[-1] == "test_read":
            tally = vars(module).get("BAD_INPUT_TALLY")
            if tally and tally["tried"]:
                terminalreporter.write_line(
                    f"bad-input cases: tried {tally['tried']}, "
                    f"handled as specified {tally['handled']}, crashed {tally['crashed']}"
                )
            return


# --- shared fixtures on the bundled corpus ------------------------------------

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "fixtures" / "gold" / "seed-articles.json"


def modified_corpus(dest: Path) -> Path:
    """The bundled corpus with one headline changed and one page removed."""
    shutil.copytree(CORPUS, dest)
    pages = sorted(dest.glob("*.txt"))
    first = pages[0].read_text(encoding="utf-8")
    assert "和声激荡新吉林" in first
    pages[0].write_text(first.replace("和声激荡新吉林", "和声激荡新吉林（修订版）", 1), "utf-8")
    pages[-1].unlink()
    return dest


@pytest.fixture(scope="session")
def corpus_pages():
    """The bundled raw pages, as read (not yet cleaned)."""
    from generator.read import read_corpus

    found = read_corpus(CORPUS)
    assert not found.problems
    return found.pages


@pytest.fixture(scope="session")
def archive():
    """The bundled corpus through read → … → enrich (shared, do not mutate)."""
    from generator.pipeline import process
    from generator.progress import Progress

    return process(CORPUS, Progress(quiet=True), workers=1)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session: Playwright's sync API allows
    only one running instance, so every browser test shares this one."""
    import sitebuild
    from playwright import sync_api

    sitebuild.require_chromium()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(sitebuild.CHROMIUM), args=sitebuild.CHROMIUM_ARGS
        )
        yield browser
        browser.close()
