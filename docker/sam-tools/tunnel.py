"""dsync's reverse tunnel, container side: like `ssh -R`.

Listens on the container's loopback (127.0.0.1 and ::1) at the given port and
carries every accepted connection over this process's stdin and stdout,
which dsync holds open through the Engine API. dsync opens a matching
connection on the caller's own loopback and relays. So an endpoint such as
`http://localhost:4566` (LocalStack or moto on a developer's machine) works
from inside the container, whether the engine is local, in a VM (Docker
Desktop) or remote, and without publishing anything.

Frames, both ways: 1 byte type, 4 bytes connection id, 4 bytes length
(big-endian), then that many bytes.
  container -> dsync: OPEN (1), DATA (2), CLOSE (3: this side reached EOF)
  dsync -> container: DATA (2), CLOSE (3), REFUSED (4: dsync could not connect)
The first line on stderr is `READY <port>` once listening.
"""

import asyncio
import socket
import struct
import sys

OPEN, DATA, CLOSE, REFUSED = 1, 2, 3, 4
HEADER = struct.Struct(">BII")


class Tunnel:
    def __init__(self):
        self.writers = {}
        self.ended = set()  # our side reached EOF
        self.remote_closed = set()  # dsync's side sent CLOSE
        self.next_id = 1
        self.out = sys.stdout.buffer
        self.lock = asyncio.Lock()

    async def send(self, kind, conn, payload=b""):
        async with self.lock:
            self.out.write(HEADER.pack(kind, conn, len(payload)) + payload)
            self.out.flush()

    async def accept(self, reader, writer):
        conn = self.next_id
        self.next_id += 1
        self.writers[conn] = writer
        await self.send(OPEN, conn)
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                await self.send(DATA, conn, chunk)
        except (ConnectionError, OSError):
            pass
        await self.send(CLOSE, conn)
        self.ended.add(conn)
        if conn in self.remote_closed:
            self.finish(conn)

    def finish(self, conn):
        writer = self.writers.pop(conn, None)
        self.ended.discard(conn)
        self.remote_closed.discard(conn)
        if writer is not None:
            try:
                writer.close()
            except (ConnectionError, OSError):
                pass

    def deliver(self, kind, conn, payload):
        writer = self.writers.get(conn)
        if writer is None:
            return
        if kind == DATA:
            writer.write(payload)
        elif kind == REFUSED or (kind == CLOSE and conn in self.ended):
            self.finish(conn)
        elif kind == CLOSE:
            self.remote_closed.add(conn)
            try:
                writer.write_eof()
            except (ConnectionError, OSError):
                self.finish(conn)

    async def read_frames(self):
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=1 << 20)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            try:
                header = await reader.readexactly(HEADER.size)
                kind, conn, length = HEADER.unpack(header)
                payload = await reader.readexactly(length) if length else b""
            except asyncio.IncompleteReadError:
                return  # dsync went away: stop
            self.deliver(kind, conn, payload)


async def main(port):
    tunnel = Tunnel()
    servers = []
    for host in ("127.0.0.1", "::1"):
        try:
            servers.append(await asyncio.start_server(tunnel.accept, host, port, family=socket.AF_INET6 if ":" in host else socket.AF_INET))
        except OSError as error:
            if host == "127.0.0.1":
                print(f"ERROR cannot listen on {host}:{port}: {error}", file=sys.stderr, flush=True)
                sys.exit(2)
    print(f"READY {port}", file=sys.stderr, flush=True)
    await tunnel.read_frames()
    for server in servers:
        server.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
