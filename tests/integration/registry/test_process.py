"""Stopping a detached process group whose leader's parent is another live process."""

import subprocess
import sys
import textwrap
import time

from psystock.registry.local_server.process import group_members, is_running, stop_group

# A parent that starts a detached `sleep` (its own session, as the registry is started) and
# then never reaps it: a killed leader stays a zombie for as long as this parent lives, as the
# registry does under a quickstart that is serving the API.
_PARENT = textwrap.dedent(
    """
    import os, time
    from psystock.registry.local_server.process import spawn_in_new_session
    process = spawn_in_new_session(["/bin/sleep", "300"], dict(os.environ), open(os.devnull, "ab"))
    print(process.pid, flush=True)
    time.sleep(300)
    """
)


def test_stop_group_treats_a_zombie_leader_as_stopped() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        assert is_running(pid, None)
        assert [member.pid for member in group_members(pid)] == [pid]

        started = time.monotonic()
        stop_group(pid, timeout_s=10)

        assert time.monotonic() - started < 5
        assert not is_running(pid, None)
        assert parent.poll() is None  # the parent still lives, so the leader is a zombie
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def test_stop_group_stops_the_workers_a_leader_forked() -> None:
    from psystock.registry.local_server.process import spawn_in_new_session

    with open("/dev/null", "ab") as log:
        leader = spawn_in_new_session(
            ["/bin/sh", "-c", "sleep 300 & sleep 300 & wait"], {"PATH": "/bin:/usr/bin"}, log
        )
    deadline = time.monotonic() + 5
    while len(group_members(leader.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    members = group_members(leader.pid)
    assert len(members) == 3

    stop_group(leader.pid, timeout_s=10)

    assert not any(is_running(member.pid, None) for member in members)
    assert leader.poll() is not None
