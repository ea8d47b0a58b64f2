"""Create (or with --force replace) the demo signing CA and signer in ``VAR_DIR/signing``."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.documents.signing import (
    DEMO_SIGNER_NAME,
    SigningCredentials,
    demo_folder,
    ensure_signing_credentials,
    regenerate_demo_credentials,
)


class Command(BaseCommand):
    help = (
        "Create the demo signing CA ('motcua DEMO CA — not trusted') and signer certificate used when "
        "SIGNING_KEY_FILE/SIGNING_CERT_FILE are not set. Documents signed with it are NOT legally signed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace existing demo credentials (the old CA stays trusted for documents already issued).",
        )
        parser.add_argument("--signer-name", default=DEMO_SIGNER_NAME, help="Common name of the signer.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SIGNING_KEY_FILE or settings.SIGNING_CERT_FILE:
            raise CommandError(
                "A real signing certificate is configured (SIGNING_KEY_FILE/SIGNING_CERT_FILE): "
                "no demo certificate is made."
            )
        existing = (demo_folder() / "signer.key").is_file()
        if existing and not options["force"]:
            credentials = ensure_signing_credentials()
            self.stdout.write(f"Demo signing credentials already exist in {demo_folder()} (use --force).")
        elif existing:
            credentials = regenerate_demo_credentials(signer_name=options["signer_name"])
            self.stdout.write(
                self.style.SUCCESS(f"Replaced the demo signing credentials in {demo_folder()}.")
            )
        else:
            credentials = regenerate_demo_credentials(signer_name=options["signer_name"])
            self.stdout.write(self.style.SUCCESS(f"Created demo signing credentials in {demo_folder()}."))
        self._describe(credentials)

    def _describe(self, credentials: SigningCredentials) -> None:
        certificate = x509.load_pem_x509_certificate(credentials.cert_file.read_bytes())
        fingerprint = certificate.fingerprint(hashes.SHA256()).hex(":").upper()
        self.stdout.write(f"  key:         {credentials.key_file} (mode 0600)")
        self.stdout.write(f"  certificate: {credentials.cert_file}")
        self.stdout.write(f"  SHA-256:     {fingerprint}")
        self.stdout.write(f"  trusted CA:  {credentials.chain_file}")
        self.stdout.write(
            self.style.WARNING("  DEMO ONLY: configure a certificate from a licensed CA (ADR 0008).")
        )
