"""A real SMTP server for the tests: aiosmtpd on a free loopback port, keeping
every message it accepts, and able to refuse for a while or answer slowly."""

import contextlib
import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
LINK = re.compile(r"https?://[^/\s]+/r/([\w-]+)/")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Collector:
    """The server's side: the messages it accepted, in order.

    The first ``refuse_rcpt`` RCPT commands and the first ``refuse_data`` DATA
    commands are answered "451" (try again later), addresses in ``unknown`` are
    refused for good, and each accepted message takes ``delay`` seconds to
    answer."""

    refuse_rcpt: int = 0
    refuse_data: int = 0
    delay: float = 0.0
    unknown: frozenset[str] = frozenset()  # answered "550 no such user"
    messages: list[EmailMessage] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        with self.lock:
            if self.refuse_rcpt:
                self.refuse_rcpt -= 1
                self.refused += 1
                return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_data:
                self.refuse_data -= 1
                self.refused += 1
                return "451 4.3.0 Mailbox busy, try again later"
        if self.delay:
            time.sleep(self.delay)  # blocks the server: one message at a time
        message = email.message_from_bytes(envelope.content, policy=email.policy.SMTP)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def by_recipient(self) -> dict[str, list[EmailMessage]]:
        with self.lock:
            messages = list(self.messages)
        received: dict[str, list[EmailMessage]] = {}
        for message in messages:
            received.setdefault(message["To"], []).append(message)
        return received

    def wait_for(self, count: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.02)
        return self.count() >= count


def token_in(message: EmailMessage) -> str:
    """The survey token of the link a message carries."""
    [token] = LINK.findall(message.get_content())
    return token


@contextlib.contextmanager
def smtp_server(collector: Collector, port: int | None = None) -> Iterator[int]:
    """Serve SMTP on ``port`` (a free one if None) until the block ends; yields
    the port."""
    controller = Controller(
        collector, hostname=HOST, port=port or free_port(), ready_timeout=10
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def smtp_mailers(port: int, timeout: float = 5) -> dict:
    """The ``MAILERS`` setting for Django's SMTP backend talking to ``port``."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": HOST,
                "port": port,
                "use_tls": False,
                "timeout": timeout,
            },
        }
    }
