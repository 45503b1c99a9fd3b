"""The argos backend gives argostranslate.translate's output, byte for byte, on the fixture."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("argostranslate")
pytest.importorskip("ctranslate2")

from glossary_check.translate import models
from glossary_check.translate.argos import ArgosTranslator, plan_routes, splitter_kind

pytestmark = pytest.mark.translate

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "tiny-ru-en.argosmodel"

UNSEEN = [
    "Зеленский прибыл в Киев. Макрон выступил в Париже.",
    "Политика\nНовости\n\nЭкономика",
    "",
    "\n\nМир\n",
    "  Мир.  Мир!   ",
    "Это совершенно новый текст, которого модель не видела. И ещё одно? Да!",
    "ТАСС_Москва",
    "Зеленский... Путин… Захарова!!",
    "Hello, world. 12.5% of 3.14!",
    "Текст\r\nс переводом строки Windows.",
    "«Новая газета Европа»: Зеленский, Макрон и Путин — в Пекине?",
]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_tiny_model", FIXTURES / "make_tiny_model.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = load_generator().build_corpus()
    return pairs


@pytest.fixture(scope="module")
def argos_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fixture installed in a fresh packages directory, for us and for argostranslate."""
    from argostranslate import settings

    packages = tmp_path_factory.mktemp("argos") / "packages"
    models.install_from_path(FIXTURE, target_dir=packages)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARGOS_PACKAGES_DIR", str(packages))
        mp.setattr(settings, "package_data_dir", packages)
        mp.setattr(settings, "package_dirs", [packages])
        models.forget_loaded_models()
        yield packages
        models.forget_loaded_models()


@pytest.fixture(scope="module")
def translator(argos_dir: Path) -> ArgosTranslator:
    return ArgosTranslator.from_installed(threads=2)


def argos_translate(texts: list[str], source: str, target: str) -> list[str]:
    from argostranslate import translate

    return [translate.translate(t, source, target) for t in texts]


def test_fixture_translates_its_corpus(
    translator: ArgosTranslator, corpus: list[tuple[str, str]]
) -> None:
    out = translator.translate_batch([ru for ru, _ in corpus], "ru", "en")
    assert out == [en for _, en in corpus]


def test_same_output_as_argostranslate(
    translator: ArgosTranslator, corpus: list[tuple[str, str]]
) -> None:
    texts = [ru for ru, _ in corpus] + UNSEEN
    assert translator.translate_batch(texts, "ru", "en") == argos_translate(texts, "ru", "en")


def test_multi_paragraph_texts_match_argostranslate(
    translator: ArgosTranslator, corpus: list[tuple[str, str]]
) -> None:
    ru = [r for r, _ in corpus]
    texts = ["\n".join(ru[i : i + 7]) for i in range(0, len(ru), 7)]
    texts += [" ".join(ru[i : i + 3]) for i in range(0, 60, 3)]
    assert translator.translate_batch(texts, "ru", "en") == argos_translate(texts, "ru", "en")


def test_glossary_names_as_the_model_writes_them(translator: ArgosTranslator) -> None:
    texts = [
        "в Киеве",
        "Зеленского",
        "Елисейский дворец",
        "Том Мастерс, специально для «Новой газеты Европа»",
    ]
    assert translator.translate_batch(texts, "ru", "en") == [
        "in Kiev",
        "Zelensky's",
        "Elysee Palace",
        "Tom Masters, especially for Novaya Gazeta Europe",
    ]


def test_thread_count_does_not_change_output(
    argos_dir: Path, translator: ArgosTranslator, corpus: list[tuple[str, str]]
) -> None:
    texts = [ru for ru, _ in corpus[:80]] + UNSEEN
    single = ArgosTranslator.from_installed(threads=1)
    assert single.translate_batch(texts, "ru", "en") == translator.translate_batch(
        texts, "ru", "en"
    )


def test_pairs_and_missing_pairs(translator: ArgosTranslator) -> None:
    assert translator.pairs() == {("ru", "en")}
    assert translator.translate_batch(["Мир", "Новости"], "de", "en") == [None, None]
    assert translator.translate_batch(["World"], "en", "ru") == [None]
    assert translator.model_id("de", "en") is None
    assert translator.model_id("ru", "en")


def test_same_language_is_returned_unchanged_like_argostranslate(
    translator: ArgosTranslator,
) -> None:
    texts = ["Мир", "  два\nабзаца  "]
    assert translator.translate_batch(texts, "ru", "ru") == argos_translate(texts, "ru", "ru")
    assert translator.translate_batch(texts, "ru", "ru") == texts


def test_identical_paragraphs_in_a_batch(translator: ArgosTranslator) -> None:
    out = translator.translate_batch(["Мир", "Мир", "Мир\nМир"], "ru", "en")
    assert out == ["World", "World", "World\nWorld"]


def test_model_id_changes_when_package_is_replaced(tmp_path: Path) -> None:
    packages = tmp_path / "packages"
    models.install_from_path(FIXTURE, target_dir=packages)
    before = ArgosTranslator.from_installed(dirs=[packages]).model_id("ru", "en")
    meta = packages / "translate-ru_en-tiny" / "metadata.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["package_version"] = "1.1"
    meta.write_text(json.dumps(data), encoding="utf-8")
    after = ArgosTranslator.from_installed(dirs=[packages]).model_id("ru", "en")
    assert before and after and before != after


# ---------------------------------------------------------------- routes and splitters


def test_plan_routes_direct_pivot_and_first_wins() -> None:
    routes = plan_routes([("ru", "en"), ("en", "de"), ("ru", "en")], [True, True, True])
    assert routes[("ru", "en")] == (0,)
    assert routes[("ru", "de")] == (0, 1)
    assert routes[("en", "en")] == ()
    assert ("de", "ru") not in routes
    skipped = plan_routes([("ru", "en"), ("en", "de")], [False, True])
    assert ("ru", "en") not in skipped and ("ru", "ru") in skipped


def test_splitter_choice_mirrors_argostranslate() -> None:
    assert splitter_kind(Path("/p/pkg/minisbd"), "ARGOSTRANSLATE") == "minisbd"
    assert splitter_kind(Path("/p/pkg/stanza"), "ARGOSTRANSLATE") == "stanza"
    assert splitter_kind(Path("/stanza-models/pkg/minisbd"), "ARGOSTRANSLATE") == "stanza"
    assert splitter_kind(None, "ARGOSTRANSLATE") == "minisbd"
    assert splitter_kind(Path("/p/pkg/stanza"), "MINISBD") == "minisbd"
    assert splitter_kind(None, "SPACY") == "spacy"
    assert splitter_kind(None, "NONE") is None


def _fake_package(root: Path, name: str, source: str, target: str) -> None:
    folder = root / name
    (folder / "minisbd").mkdir(parents=True)
    (folder / "minisbd" / f"{source}.onnx").write_bytes(b"")
    meta = {"type": "translate", "from_code": source, "to_code": target, "package_version": "1"}
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")


def _argos_route(translation: Any) -> tuple[str, ...]:
    from argostranslate import translate

    if isinstance(translation, translate.CompositeTranslation):
        return _argos_route(translation.t1) + _argos_route(translation.t2)
    if isinstance(translation, translate.CachedTranslation):
        return _argos_route(translation.underlying)
    if isinstance(translation, translate.PackageTranslation):
        return (Path(translation.pkg.package_path).name,)
    assert isinstance(translation, translate.IdentityTranslation)
    return ()


def test_routes_match_argostranslate_language_graph(tmp_path: Path) -> None:
    """Pivots are chosen as argostranslate chooses them (nothing is translated here)."""
    from argostranslate import package, settings, translate

    packages = tmp_path / "packages"
    edges = [("ru", "en"), ("en", "de"), ("de", "fr"), ("uk", "en"), ("en", "uk"), ("fr", "ru")]
    for i, (source, target) in enumerate(edges):
        _fake_package(packages, f"p{i}-{source}_{target}", source, target)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "package_data_dir", packages)
        mp.setattr(settings, "package_dirs", [packages])
        models.forget_loaded_models()
        try:
            installed = package.get_installed_packages()
            names = [Path(p.package_path).name for p in installed]
            routes = plan_routes(
                [(p.from_code, p.to_code) for p in installed], [True] * len(installed)
            )
            codes = sorted({c for edge in edges for c in edge})
            for source in codes:
                for target in codes:
                    expected = translate.get_translation_from_codes(source, target)
                    ours = routes.get((source, target))
                    assert (ours is None) == (expected is None), (source, target)
                    if ours is not None:
                        assert tuple(names[i] for i in ours) == _argos_route(expected)
        finally:
            models.forget_loaded_models()
