"""Stopping a detached process group whose leader's parent is another live process."""

import subprocess
import sys
import textwrap
import time

from psystock.registry._process import is_process_alive, stop_group

# A parent that starts a detached `sleep` (its own session, as the registry is started) and
# then never reaps it: a killed leader stays a zombie for as long as this parent lives, as the
# registry does under a quickstart that is serving the API.
_PARENT = textwrap.dedent(
    """
    import os, time
    from psystock.registry._process import spawn_detached
    pid = spawn_detached(["/bin/sleep", "300"], dict(os.environ), open(os.devnull, "ab"))
    print(pid, flush=True)
    time.sleep(300)
    """
)


def test_stop_group_treats_a_zombie_leader_as_stopped() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert is_process_alive(pid, None)

        started = time.monotonic()
        stop_group(pid, timeout_s=10)

        assert time.monotonic() - started < 5
        assert not is_process_alive(pid, None)
        assert parent.poll() is None  # the parent still lives, so the leader is a zombie
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
