import subprocess
import sys
import textwrap


def test_httpx_comes_without_its_command_line_client_which_stays_importable() -> None:
    code = textwrap.dedent(
        """
        import sys
        from psystock.registry._httpx import httpx
        print(sorted(m for m in ("rich", "pygments", "httpx._main") if m in sys.modules))
        with httpx.Client() as client:
            print(type(client).__name__)
        import httpx._main
        print(callable(httpx._main.main))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "Client", "True"]
