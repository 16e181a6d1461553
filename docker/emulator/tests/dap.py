"""A minimal Debug Adapter Protocol client for the tests (what VS Code's
Python debugger speaks to debugpy): Content-Length framed JSON over TCP,
requests with `seq`, responses by `request_seq`, events by name."""

import json
import socket


class Dap:
    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.seq = 0
        self.pending = []  # messages read while waiting for another one

    def send(self, command, **arguments):
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command, "arguments": arguments}).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self.seq

    def _read(self):
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return json.loads(body)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the debug adapter closed the connection")
        self.buffer += chunk

    def _wait(self, test):
        for i, message in enumerate(self.pending):
            if test(message):
                return self.pending.pop(i)
        while True:
            message = self._read()
            if test(message):
                return message
            self.pending.append(message)

    def response(self, seq):
        answer = self._wait(lambda m: m.get("type") == "response" and m.get("request_seq") == seq)
        if not answer.get("success"):
            raise RuntimeError(f"{answer.get('command')}: {answer.get('message')}")
        return answer.get("body") or {}

    def call(self, command, **arguments):
        return self.response(self.send(command, **arguments))

    def event(self, name):
        return self._wait(lambda m: m.get("type") == "event" and m.get("event") == name).get("body") or {}

    def close(self):
        self.sock.close()
