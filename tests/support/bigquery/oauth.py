"""The stand-in's OAuth 2.0 token endpoint for service accounts: a JWT-bearer assertion (RFC 7523)
checked as Google's token endpoint checks it, exchanged for an access token the API side accepts.

Google's rules (developers.google.com/identity/protocols/oauth2/service-account, "Preparing to make
an authorized API call" and "Error codes"): the JWT's header is `{"alg": "RS256", "typ": "JWT"}`
with an optional `kid` naming the key; its claims are `iss` (the service account's e-mail), `scope`
(space-separated), `aud` (`https://oauth2.googleapis.com/token`), `iat` and `exp`, at most one hour
apart; it is signed with the account's RSA key, RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3,
RFC 8017 §8.2). Refusals are 400s with `{"error", "error_description"}` (RFC 6749 §5.2).

Standard library only: the public key is read from its PEM (SubjectPublicKeyInfo, or PKCS#1
`RSA PUBLIC KEY`) by a small DER reader, and the signature is checked with modular exponentiation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time

# The audience Google's token endpoint requires, whatever URL the assertion is posted to: Google's
# docs say so, and google-auth puts it in every assertion (google/oauth2/service_account.py,
# `_make_authorization_grant_assertion`), even when the key file's `token_uri` names another URL.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Google accepts an assertion issued up to about a minute ahead of its clock, and one whose `exp` is
# at most an hour after its `iat`.
CLOCK_SKEW_S = 60
MAX_LIFETIME_S = 3600
SCOPE_PREFIX = "https://www.googleapis.com/auth/"

# The ASN.1 DigestInfo that precedes a SHA-256 hash in a PKCS#1 v1.5 signature (RFC 8017 §9.2,
# note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
RSA_ENCRYPTION_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1


class Refusal(Exception):
    """A token request refused: the HTTP status and RFC 6749's `error` and `error_description`."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


# ---- RSA public keys and signatures ---------------------------------------------------------------


def _der(data: bytes, pos: int, tag: int) -> tuple[bytes, int]:
    """The contents of the DER element of type `tag` at `pos`, and the position after it."""
    if pos + 2 > len(data) or data[pos] != tag:
        raise ValueError(f"expected DER tag {tag:#x} at byte {pos}")
    length, pos = data[pos + 1], pos + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad DER length")
        length, pos = int.from_bytes(data[pos:pos + count], "big"), pos + count
    if pos + length > len(data):
        raise ValueError("DER element runs past its end")
    return data[pos:pos + length], pos + length


def _rsa_public_key(der: bytes) -> tuple[int, int]:
    """PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`."""
    body, _ = _der(der, 0, 0x30)
    n, pos = _der(body, 0, 0x02)
    e, _ = _der(body, pos, 0x02)
    return int.from_bytes(n, "big"), int.from_bytes(e, "big")


def public_key_from_pem(pem: str) -> tuple[int, int]:
    """(n, e) of an RSA public key in PEM: `PUBLIC KEY` (X.509 SubjectPublicKeyInfo, what
    `openssl pkey -pubout` writes) or `RSA PUBLIC KEY` (PKCS#1)."""
    lines = [l.strip() for l in pem.strip().splitlines()]
    if len(lines) < 3 or not lines[0].startswith("-----BEGIN ") or not lines[-1].startswith("-----END "):
        raise ValueError("not a PEM block")
    label = lines[0][len("-----BEGIN "):].rstrip("-")
    der = base64.b64decode("".join(lines[1:-1]), validate=True)
    if label == "RSA PUBLIC KEY":
        return _rsa_public_key(der)
    if label != "PUBLIC KEY":
        raise ValueError(f"not a public key: {label}")
    # SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING (the RSAPublicKey) }
    spki, _ = _der(der, 0, 0x30)
    algorithm, pos = _der(spki, 0, 0x30)
    oid, _ = _der(algorithm, 0, 0x06)
    if oid != RSA_ENCRYPTION_OID:
        raise ValueError("not an RSA key")
    bits, _ = _der(spki, pos, 0x03)
    if not bits or bits[0] != 0:
        raise ValueError("the key's BIT STRING has unused bits")
    return _rsa_public_key(bits[1:])


def verify_rs256(key: tuple[int, int], message: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2): the signature, raised to
    the public exponent, must be exactly the encoded message 00 01 FF…FF 00 DigestInfo hash."""
    n, e = key
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    t = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    if k < len(t) + 11:
        return False
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(pow(s, e, n).to_bytes(k, "big"), expected)


# ---- the token endpoint ---------------------------------------------------------------------------


def _b64url(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url")


class Account:
    """The one service account the stand-in knows: its e-mail, its key's id and public key."""

    def __init__(self, client_email: str, public_key_pem: str, key_id: str | None = None):
        self.client_email = client_email
        self.key_id = key_id
        self.key = public_key_from_pem(public_key_pem)


SHORT_LIVED = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
               "timeframe. Check your iat and exp values in the JWT claim.")


def check_assertion(assertion: str, account: Account, token_url: str, now: float) -> dict:
    """The claims of a valid assertion, else a Refusal as Google words it."""
    parts = assertion.split(".")
    if len(parts) != 3:
        raise Refusal(400, "invalid_grant", "Invalid JWT: the assertion is not three base64url parts.")
    try:
        header = json.loads(_b64url(parts[0]))
        claims = json.loads(_b64url(parts[1]))
        signature = _b64url(parts[2])
    except ValueError:
        raise Refusal(400, "invalid_grant", "Invalid JWT: the header or the claims are not base64url JSON.")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Refusal(400, "invalid_grant", "Invalid JWT: the header and the claims must be JSON objects.")
    if header.get("alg") != "RS256":
        raise Refusal(400, "invalid_grant", f"Invalid JWT: unsupported algorithm {header.get('alg')!r}.")
    # An unknown issuer is not an account Google has.
    if claims.get("iss") != account.client_email:
        raise Refusal(400, "invalid_grant", "Invalid grant: account not found")
    # `kid` names which of the account's keys signed; a key it does not name cannot check it.
    kid = header.get("kid")
    if kid is not None and account.key_id is not None and kid != account.key_id:
        raise Refusal(400, "invalid_grant", "Invalid JWT Signature.")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    if not verify_rs256(account.key, signed, signature):
        raise Refusal(400, "invalid_grant", "Invalid JWT Signature.")
    # The key file's `token_uri` is Google's URL in a real key; a client that takes its audience
    # from it names this stand-in's URL instead, which stands for the same thing here.
    if claims.get("aud") not in (GOOGLE_TOKEN_AUDIENCE, token_url):
        raise Refusal(400, "invalid_grant",
                      f"Invalid JWT: Failed audience check. The right audience is {GOOGLE_TOKEN_AUDIENCE}")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (iat, exp)):
        raise Refusal(400, "invalid_grant", SHORT_LIVED)
    if exp <= iat or exp - iat > MAX_LIFETIME_S or iat > now + CLOCK_SKEW_S or exp < now - CLOCK_SKEW_S:
        raise Refusal(400, "invalid_grant", SHORT_LIVED)
    scope = claims.get("scope")
    if not isinstance(scope, str) or not scope.split():
        raise Refusal(400, "invalid_scope", "Empty or missing scope not allowed.")
    if not all(s.startswith(SCOPE_PREFIX) for s in scope.split()):
        raise Refusal(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    return claims


class Tokens:
    """The access tokens issued: each with its expiry, its scopes and a serial number (what the
    request log shows instead of the token)."""

    def __init__(self, expires_in: int):
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.issued: dict[str, tuple[float, frozenset, int]] = {}

    def issue(self, scopes: list[str]) -> tuple[str, int]:
        # Google's access tokens start with `ya29.`; the rest is opaque.
        token = "ya29.c." + secrets.token_urlsafe(48)
        with self.lock:
            serial = len(self.issued) + 1
            self.issued[token] = (time.time() + self.expires_in, frozenset(scopes), serial)
        return token, serial

    def lookup(self, token: str) -> tuple[frozenset, int] | None:
        """The scopes and serial of a token issued here and not expired, else None."""
        with self.lock:
            entry = self.issued.get(token)
        if entry is None or time.time() >= entry[0]:
            return None
        return entry[1], entry[2]


def exchange(form: dict, account: Account, tokens: Tokens, token_url: str) -> tuple[dict, dict]:
    """`POST /token` with its form body → (the answer, what the request log may say of it)."""
    note = {"grant_type": form.get("grant_type")}
    if form.get("grant_type") != JWT_BEARER:
        raise Refusal(400, "unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type', '')}")
    assertion = form.get("assertion")
    if not assertion:
        raise Refusal(400, "invalid_request", "Missing required parameter: assertion")
    claims = check_assertion(assertion, account, token_url, time.time())
    token, serial = tokens.issue(claims["scope"].split())
    note.update(iss=claims["iss"], scope=claims["scope"], issued=serial)
    return {"access_token": token, "expires_in": tokens.expires_in, "token_type": "Bearer"}, note
