"""The reverse tunnel, container side: connections accepted on the loopback
travel as frames over stdin/stdout, both ways, and close as they should."""

import socket
import struct
import subprocess
import sys

import pytest

HEADER = struct.Struct(">BII")
OPEN, DATA, CLOSE, REFUSED = 1, 2, 3, 4


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_frame(stream):
    kind, conn, length = HEADER.unpack(stream.read(HEADER.size))
    return kind, conn, stream.read(length) if length else b""


def send_frame(stream, kind, conn, payload=b""):
    stream.write(HEADER.pack(kind, conn, len(payload)) + payload)
    stream.flush()


@pytest.fixture
def tunnel(sam_tools):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(sam_tools / "tunnel.py"), str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stderr.readline().decode().strip() == f"READY {port}"
    yield process, port
    process.stdin.close()
    assert process.wait(timeout=10) == 0  # dsync went away: the tunnel stops


def test_a_connection_travels_both_ways(tunnel):
    process, port = tunnel
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        kind, conn, _ = read_frame(process.stdout)
        assert kind == OPEN
        client.sendall(b"ping")
        assert read_frame(process.stdout) == (DATA, conn, b"ping")
        send_frame(process.stdin, DATA, conn, b"pong")
        assert client.recv(4) == b"pong"
        send_frame(process.stdin, CLOSE, conn)
        assert client.recv(4) == b""  # dsync's side closed: EOF here
        client.shutdown(socket.SHUT_WR)
        assert read_frame(process.stdout) == (CLOSE, conn, b"")


def test_a_refused_connection_is_closed(tunnel):
    process, port = tunnel
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        kind, conn, _ = read_frame(process.stdout)
        assert kind == OPEN
        send_frame(process.stdin, REFUSED, conn)
        assert client.recv(4) == b""


def test_a_port_in_use_is_an_error(sam_tools):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, str(sam_tools / "tunnel.py"), str(port)], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )
    assert done.returncode == 2
    assert done.stderr.startswith(f"ERROR cannot listen on 127.0.0.1:{port}")
