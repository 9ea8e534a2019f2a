import socket

from psystock.registry.local_server.ports import is_port_in_use


def test_is_port_in_use_when_something_listens() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        assert is_port_in_use("127.0.0.1", port) is True


def test_is_port_in_use_is_false_once_the_listener_is_gone() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

    assert is_port_in_use("127.0.0.1", port) is False


def test_is_port_in_use_sees_a_wildcard_listener_on_the_same_port() -> None:
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))
        listener.listen()
        port = listener.getsockname()[1]

        assert is_port_in_use("127.0.0.1", port) is True
