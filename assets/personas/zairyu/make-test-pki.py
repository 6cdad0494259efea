#!/usr/bin/env python3
"""Makes the test PKI the card emulator signs 在留カード data with: a fictional issuing CA for each
generation (trust/: what a test or the demo trusts) and a card-signing certificate under each
(signer/: what the emulator's cards carry). Valid 2020-01-01 to 2060-12-31, so that tests with
a fixed date keep passing. TEST EQUIPMENT ONLY: the keys are public in this repository and no
real card or trust store uses them. Run once (needs python3-cryptography); the files are kept.
"""
import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

HERE = Path(__file__).parent
START = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2060, 12, 31, tzinfo=datetime.timezone.utc)


def name(common):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Madoguchi TEST ONLY"),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])


def certificate(subject, issuer, public_key, signing_key, hash_algorithm, serial, ca):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(START)
        .not_valid_after(END)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(signing_key, hash_algorithm)


def make(kind, new_key, ca_hash):
    ca_key, card_key = new_key(), new_key()
    ca_name = name(f"Test residence card CA ({kind})")
    ca = certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca_hash, 1, True)
    card = certificate(
        name(f"Test residence card signer ({kind})"), ca_name, card_key.public_key(),
        ca_key, hashes.SHA256(), 2, False,
    )
    lower = kind.lower()
    (HERE / "trust" / f"test-ca-{lower}.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (HERE / "signer" / f"card-{lower}.der").write_bytes(card.public_bytes(serialization.Encoding.DER))
    (HERE / "signer" / f"card-{lower}.key").write_bytes(card_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


# Second generation: ECDSA P-384 (the card's certificate signed with SHA-256, as on real cards).
make("ECDSA", lambda: ec.generate_private_key(ec.SECP384R1()), hashes.SHA384())
# First generation: RSA-2048 with SHA-256.
make("RSA", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), hashes.SHA256())
