import re
from pathlib import Path

from psystock.deploy.docker import IMAGES, ImageKind, dockerfile_text, write_context_files
from psystock.extras import EXTRAS


def test_every_image_installs_known_extras_and_ships_its_files() -> None:
    for kind, spec in IMAGES.items():
        assert set(spec.extras) <= set(EXTRAS), kind
        text = dockerfile_text(spec)
        assert f"AS {kind.value}\n" in text
        assert "USER 10001:10001" in text
        assert "--no-index --find-links /wheels" in text


def test_server_images_have_a_healthcheck_without_curl() -> None:
    for kind in (ImageKind.API, ImageKind.REGISTRY):
        text = dockerfile_text(IMAGES[kind])
        assert re.search(r'HEALTHCHECK .* CMD \["python", "-c"', text), kind
        assert "curl" not in text.replace("No curl", "")


def test_registry_image_turns_the_job_runner_off_and_allows_local_webhooks() -> None:
    text = dockerfile_text(IMAGES[ImageKind.REGISTRY])
    for setting in (
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false",
        "MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https",
        "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true",
    ):
        assert setting in text


def test_the_api_context_holds_the_prune_script_its_dockerfile_runs(tmp_path: Path) -> None:
    spec = IMAGES[ImageKind.API]
    write_context_files(spec, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["api.Dockerfile", "api-entrypoint.sh", "prune-venv.py", "model"]
    )
    assert "python /tmp/prune-venv.py /opt/psystock" in dockerfile_text(spec)
    assert spec.strips_libraries
