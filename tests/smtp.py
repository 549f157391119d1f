"""A real SMTP server on loopback (aiosmtpd), for the tests where an email must really be sent and read back.

The `mail_server` fixture (tests/conftest.py) starts one and points Django's SMTP backend at it.
"""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """An SMTP handler that refuses messages (451) while `refuse` is set, and keeps them otherwise."""

    def __init__(self):
        self.refuse = False
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        self.envelopes.append(envelope)
        return "250 OK"

    def messages_to(self, address: str) -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            for envelope in self.envelopes
            if address in envelope.rcpt_tos
        ]


class MailServer:
    def __init__(self, controller: Controller, mailbox: Mailbox):
        self.controller = controller
        self.mailbox = mailbox
        self.running = True

    def stop(self):
        if self.running:
            self.controller.stop()
            self.running = False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server(settings, request):
    """A real SMTP server on 127.0.0.1, with Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    server = MailServer(controller, mailbox)
    request.addfinalizer(server.stop)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return server
