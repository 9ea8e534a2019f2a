import socket
from pathlib import Path

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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--auth-token", ""],
            "Error: invalid setting PSYSTOCK_SERVING__AUTH_TOKEN: the bearer token is empty:"
            " give a token, or none to serve openly\n",
        ),
        (
            ["--auth-token-file", "/nonexistent/token"],
            "Error: invalid setting PSYSTOCK_SERVING__AUTH_TOKEN_FILE: cannot read the token file"
            " /nonexistent/token: No such file or directory\n",
        ),
        (
            ["--auth-token", "a", "--auth-token-file", "/etc/hostname"],
            "Error: invalid setting PSYSTOCK_SERVING__AUTH_TOKEN_FILE: give the bearer token or"
            " its file, not both\n",
        ),
    ],
)
def test_serve_refuses_an_empty_or_unreadable_token(
    run_cli: RunCli, args: list[str], message: str
) -> None:
    result = run_cli("serve", *args)
    assert result.exit_code == 2
    assert result.said == message


def test_serve_refuses_an_empty_token_file(run_cli: RunCli, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("\n")
    result = run_cli("serve", "--auth-token-file", token_file)
    assert result.exit_code == 2
    assert result.said == (
        "Error: invalid setting PSYSTOCK_SERVING__AUTH_TOKEN_FILE: the token file"
        f" {token_file} is empty\n"
    )


def test_serve_on_a_port_in_use_prints_one_error_line_and_exits_2(run_cli: RunCli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--no-webhook")
    assert result.exit_code == 2
    assert result.said == (
        f"Error: cannot listen on 127.0.0.1:{port}: the port is in use; stop what uses it or"
        " choose another port with --port (PSYSTOCK_SERVING__PORT)\n"
    )
    assert "psystock API on" not in result.stdout
