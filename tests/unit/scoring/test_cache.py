import shutil
from pathlib import Path

import pytest

from psystock.registry.resolve import ResolvedModel
from psystock.scoring.cache import ModelCache
from tests.unit.scoring.conftest import write_mlmodel


class CopyingDownloader:
    """Downloads by copying a real model directory, and counts how often it was asked."""

    def __init__(self, origin: Path) -> None:
        self.origin = origin
        self.calls = 0

    def __call__(self, resolved: ResolvedModel, destination: Path) -> Path:
        self.calls += 1
        shutil.copytree(self.origin, destination)
        return destination


def registered(version: str = "3", source: str = "models:/m-aaa") -> ResolvedModel:
    uri = "mlflow-artifacts:/0/models/m-aaa/artifacts"
    return ResolvedModel("models:/psy/Production", "psy", version, source, "r1", uri)


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    model = tmp_path / "origin"
    model.mkdir()
    write_mlmodel(model, "model.ubj", None)
    return model


def test_fetch_downloads_once_then_reuses_the_entry(tmp_path: Path, origin: Path) -> None:
    cache = ModelCache(tmp_path / "cache", "http://127.0.0.1:5000")
    download = CopyingDownloader(origin)
    first = cache.fetch(registered(), download)
    second = cache.fetch(registered(), download)
    assert first == second
    assert (first / "MLmodel").is_file()
    assert download.calls == 1
    assert first.parent == tmp_path / "cache" / cache.registry_dir.name / "registered" / "psy" / "3"


def test_fetch_downloads_again_when_the_registry_source_changed(
    tmp_path: Path, origin: Path
) -> None:
    cache = ModelCache(tmp_path / "cache", "http://127.0.0.1:5000")
    download = CopyingDownloader(origin)
    cache.fetch(registered(source="models:/m-aaa"), download)
    cache.fetch(registered(source="models:/m-bbb"), download)
    cache.fetch(registered(source="models:/m-bbb"), download)
    assert download.calls == 2
    leftovers = [p.name for p in (cache.registry_dir / "registered" / "psy").iterdir()]
    assert leftovers == ["3"]


def test_registries_do_not_share_entries(tmp_path: Path) -> None:
    one = ModelCache(tmp_path, "http://127.0.0.1:5000")
    two = ModelCache(tmp_path, "http://127.0.0.1:5001")
    assert one.entry_dir(registered()) != two.entry_dir(registered())


def test_local_paths_are_used_in_place(tmp_path: Path, origin: Path) -> None:
    cache = ModelCache(tmp_path / "cache", "http://127.0.0.1:5000")
    download = CopyingDownloader(origin)
    local = ResolvedModel(str(origin), None, None, str(origin), None, str(origin))
    assert cache.fetch(local, download) == origin
    assert download.calls == 0
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("source", "kind"),
    [("models:/m-abc", "logged"), ("runs:/r1/model", "runs"), ("s3://b/k", "uri")],
)
def test_unregistered_references_have_their_own_entries(
    tmp_path: Path, source: str, kind: str
) -> None:
    cache = ModelCache(tmp_path, "sqlite:///x.db")
    entry = cache.entry_dir(ResolvedModel(source, None, None, source, None, source))
    assert entry is not None
    assert entry.relative_to(cache.registry_dir).parts[0] == kind


def test_failed_download_leaves_no_entry_and_no_temporary_files(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "cache", "http://127.0.0.1:5000")

    def failing(resolved: ResolvedModel, destination: Path) -> Path:
        destination.mkdir()
        (destination / "half").write_text("x")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        cache.fetch(registered(), failing)
    assert list((cache.registry_dir / "registered" / "psy").iterdir()) == []


def test_entry_without_mlmodel_is_downloaded_again(tmp_path: Path, origin: Path) -> None:
    cache = ModelCache(tmp_path / "cache", "http://127.0.0.1:5000")
    download = CopyingDownloader(origin)
    model_dir = cache.fetch(registered(), download)
    (model_dir / "MLmodel").unlink()
    assert (cache.fetch(registered(), download) / "MLmodel").is_file()
    assert download.calls == 2
