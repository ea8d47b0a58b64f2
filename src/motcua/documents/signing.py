"""PAdES signatures on issued PDFs (pyHanko) and their offline verification.

Signing uses the key and certificate configured in ``SIGNING_KEY_FILE`` / ``SIGNING_CERT_FILE`` (chain in
``SIGNING_CHAIN_FILE``). Without them, ``ensure_signing_credentials`` creates a demo CA ("motcua DEMO CA —
not trusted") and a signer certificate in ``VAR_DIR/signing`` on first use. Only PAdES B-B is produced:
no time-stamp authority and no OCSP/CRL are reachable offline (ADR 0008).

Verification never uses the network. It trusts the configured chain, or the demo CA (current and
retired ones), and nothing else.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.core.clock import now

T = TypeVar("T")

logger = logging.getLogger(__name__)

DEMO_CA_NAME = "motcua DEMO CA — not trusted"
DEMO_SIGNER_NAME = "motcua DEMO signer — not trusted"
SIGNATURE_FIELD = "Signature1"
_KEY_FILE = "signer.key"
_CERT_FILE = "signer.pem"
_CA_FILE = "ca.pem"
_RETIRED = "retired"


@dataclass(frozen=True)
class SigningCredentials:
    """Where the signing key, its certificate and the chain to trust live; ``demo`` if generated."""

    key_file: Path
    cert_file: Path
    chain_file: Path | None
    demo: bool


@dataclass(frozen=True)
class Verification:
    """What a PDF's signature says, checked offline.

    ``intact``: the signed bytes are unchanged; ``valid``: the signature value is correct for the signer's
    key; ``trusted``: the signer's certificate chains to a configured trust root; ``bottom_line``:
    all of these and no disallowed change after signing. ``problem`` explains a failure in English.
    """

    signed: bool
    intact: bool
    valid: bool
    trusted: bool
    signer_name: str
    signed_at: datetime | None
    bottom_line: bool
    problem: str = ""


def demo_folder() -> Path:
    return Path(settings.VAR_DIR) / "signing"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua (demo)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,  # non-repudiation: expected on document-signing certificates
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def generate_demo_credentials(folder: Path, *, signer_name: str = DEMO_SIGNER_NAME) -> SigningCredentials:
    """Write a fresh demo CA certificate, signer key (0600) and signer certificate into ``folder``.

    The CA's private key is used once and never written: nothing else can be issued under it.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    start = now() - timedelta(days=1)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(DEMO_CA_NAME)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = signer_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    files = {
        _KEY_FILE: key_pem,
        _CERT_FILE: signer_cert.public_bytes(serialization.Encoding.PEM),
        _CA_FILE: ca_cert.public_bytes(serialization.Encoding.PEM),
    }
    for name, content in files.items():
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(folder / name, 0o600)  # also when the file existed with wider rights
    return SigningCredentials(folder / _KEY_FILE, folder / _CERT_FILE, folder / _CA_FILE, demo=True)


def _configured() -> SigningCredentials | None:
    key, cert, chain = settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE, settings.SIGNING_CHAIN_FILE
    if not key and not cert:
        return None
    if not (key and cert):
        raise ImproperlyConfigured("Set both SIGNING_KEY_FILE and SIGNING_CERT_FILE, or neither (demo CA).")
    for path in (key, cert, chain):
        if path and not Path(path).is_file():
            raise ImproperlyConfigured(f"Signing file not found: {path}")
    return SigningCredentials(Path(key), Path(cert), Path(chain) if chain else None, demo=False)


def ensure_signing_credentials() -> SigningCredentials:
    """The configured signing credentials, or the demo ones (generated on first use).

    Generation happens in a temporary folder renamed into place, so concurrent first uses end with one
    consistent key/certificate pair.
    """
    configured = _configured()
    if configured is not None:
        return configured
    folder = demo_folder()
    if not (folder / _KEY_FILE).is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".signing-"))
        generate_demo_credentials(staging)
        try:
            staging.rename(folder)  # atomic; fails if another process created the folder first
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not (folder / _KEY_FILE).is_file():  # a folder without a key (e.g. only retired/)
                generate_demo_credentials(folder)
        logger.warning("Using a demo signing CA in %s: issued documents are NOT legally signed.", folder)
    return SigningCredentials(folder / _KEY_FILE, folder / _CERT_FILE, folder / _CA_FILE, demo=True)


def regenerate_demo_credentials(*, signer_name: str = DEMO_SIGNER_NAME) -> SigningCredentials:
    """Replace the demo CA and signer; the old CA certificate is kept in ``retired/`` and still trusted,
    so documents already issued keep verifying."""
    folder = demo_folder()
    old_ca = folder / _CA_FILE
    if old_ca.is_file():
        retired = folder / _RETIRED
        retired.mkdir(parents=True, exist_ok=True, mode=0o700)
        old_ca.replace(retired / f"{now():%Y%m%dT%H%M%S%f}-{_CA_FILE}")
    return generate_demo_credentials(folder, signer_name=signer_name)


def _read_certs(path: Path) -> list[asn1_x509.Certificate]:
    return list(load_certs_from_pemder_data(path.read_bytes()))


def trust_roots() -> tuple[list[asn1_x509.Certificate], list[asn1_x509.Certificate]]:
    """(trust anchors, intermediate certificates) used to verify signatures."""
    configured = _configured()
    if configured is not None:
        if configured.chain_file is None:
            return [], []
        chain = _read_certs(configured.chain_file)
        roots = [c for c in chain if c.self_signed != "no"]
        others = [c for c in chain if c.self_signed == "no"]
        # A chain file without its root (only intermediates) is trusted as given.
        return (roots, others) if roots else (others, [])
    folder = demo_folder()
    anchors: list[asn1_x509.Certificate] = []
    candidates = [folder / _CA_FILE, *sorted((folder / _RETIRED).glob(f"*-{_CA_FILE}"))]
    for path in candidates:
        if path.is_file():
            anchors.extend(_read_certs(path))
    return anchors, []


def _signer(credentials: SigningCredentials) -> signers.SimpleSigner:
    passphrase = getattr(settings, "SIGNING_KEY_PASSPHRASE", None)
    key = load_private_key_from_pemder_data(
        credentials.key_file.read_bytes(), passphrase=passphrase.encode() if passphrase else None
    )
    certs = _read_certs(credentials.cert_file)
    if not certs:
        raise ImproperlyConfigured(f"No certificate in {credentials.cert_file}")
    chain = _read_certs(credentials.chain_file) if credentials.chain_file else []
    return signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([*certs[1:], *chain]),
    )


def _outside_event_loop(work: Callable[[], T]) -> T:
    """pyHanko's synchronous API runs its own event loop (``asyncio.run``), which fails in a thread whose
    loop is already running (an ASGI server, Playwright-driven tests). Then the pure, database-free work
    runs in a short-lived worker thread instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    """Sign ``pdf`` with an invisible PAdES B-B signature (SHA-256) by the configured or demo signer.

    Invisible on purpose: the paper itself prints who signs and how to verify; pyHanko's visible stamp
    mis-spaces DejaVu Sans (dependencies.md §5), the only font guaranteed here.
    """
    signer = _signer(ensure_signing_credentials())
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    output = _outside_event_loop(lambda: signers.PdfSigner(meta, signer=signer).sign_pdf(writer))
    return bytes(output.getbuffer())


def _common_name(cert: asn1_x509.Certificate) -> str:
    native = cert.subject.native
    return str(native.get("common_name") or cert.subject.human_friendly)


def _unsigned(problem: str) -> Verification:
    return Verification(
        signed=False,
        intact=False,
        valid=False,
        trusted=False,
        signer_name="",
        signed_at=None,
        bottom_line=False,
        problem=problem,
    )


def verify_pdf(pdf: bytes) -> Verification:
    """Check every signature of ``pdf`` offline against our trust roots.

    The result speaks for the whole file: intact/valid/trusted only if every signature is, and the
    signer and time are those of the last signature.
    """
    anchors, others = trust_roots()
    return _outside_event_loop(lambda: _verify(pdf, anchors, others))


def _verify(pdf: bytes, anchors: Any, others: Any) -> Verification:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:  # unreadable input is "not verified", whatever the parser raised
        return _unsigned(f"not a readable PDF: {exc}")
    if not embedded:
        return _unsigned("no signature")
    statuses = []
    for signature in embedded:
        context = ValidationContext(
            trust_roots=anchors,
            other_certs=others,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        try:
            statuses.append(validate_pdf_signature(signature, context))
        except Exception as exc:  # a malformed signature dictionary or CMS blob
            return Verification(
                signed=True,
                intact=False,
                valid=False,
                trusted=False,
                signer_name="",
                signed_at=None,
                bottom_line=False,
                problem=f"signature could not be checked: {exc}",
            )
    last = statuses[-1]
    intact = all(s.intact for s in statuses)
    valid = all(s.valid for s in statuses)
    trusted = all(s.trusted for s in statuses)
    bottom_line = all(s.bottom_line for s in statuses)
    problem = ""
    if not intact:
        problem = "the signed content was changed"
    elif not valid:
        problem = "the signature value is wrong"
    elif not trusted:
        problem = "the signer is not trusted here"
    elif not bottom_line:
        problem = "the file was changed after signing"
    return Verification(
        signed=True,
        intact=intact,
        valid=valid,
        trusted=trusted,
        signer_name=_common_name(last.signing_cert),
        signed_at=last.signer_reported_dt,
        bottom_line=bottom_line,
        problem=problem,
    )
