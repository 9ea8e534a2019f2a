import pytest

from tests.conftest import RunCli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--model", "models:/"],
            "Error: invalid model reference 'models:/': a stage, alias or version is missing"
            " after the name: expected models:/NAME/STAGE, models:/NAME@ALIAS,"
            " models:/NAME/VERSION, models:/NAME/latest, models:/m-<id>, runs:/RUN_ID/PATH,"
            " a URI or a path\n",
        ),
        (["--port", "70000"], "Invalid value for '--port': 70000 is not in the range 0<=x<=65535."),
        (["--workers", "0"], "Invalid value for '--workers': 0 is not in the range x>=1."),
    ],
)
def test_serve_rejects_bad_options_before_serving(
    run_cli: RunCli, args: list[str], message: str
) -> None:
    result = run_cli("serve", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_serve_rejects_an_invalid_setting_from_the_environment(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSYSTOCK_SERVING__MAX_ROWS", "0")
    result = run_cli("serve")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: invalid setting PSYSTOCK_SERVING__MAX_ROWS='0': Input should be greater than or"
        " equal to 1\n"
    )


def test_serve_help_lists_every_option(run_cli: RunCli) -> None:
    result = run_cli("serve", "--help")
    assert result.exit_code == 0
    for option in ("--model", "--host", "--port", "--workers", "--poll-interval", "--auth-token"):
        assert option in result.stdout
