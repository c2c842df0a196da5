#!/usr/bin/python3
"""Independent check of a Tollgate legacy project token (EdDSA JWT), with pyca/cryptography.

Usage: verify_legacy_jwt.py TOKEN JWKS_JSON PROJECT_ID ISSUER
  JWKS_JSON is the body of GET /v1/legacy-tokens/keys: {"keys": [{"kty":"OKP","crv":"Ed25519","x":...}, ...]}

Exit 0 and print "ok <jti>" when the token is valid; exit 1 with the reason otherwise.
Written from the documented format only (IAM.md, "Legacy project tokens"), not from Tollgate's code.
"""
import base64
import json
import sys
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def b64url(segment):
    if "=" in segment:
        raise ValueError("padding in a segment")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def fail(reason):
    print("invalid: " + reason)
    sys.exit(1)


def main():
    token, jwks, project_id, issuer = sys.argv[1:5]
    parts = token.split(".")
    if len(parts) != 3:
        fail("expected 3 segments, got %d" % len(parts))
    header = b64url(parts[0])
    if header != b'{"alg":"EdDSA"}':
        fail("header is %r" % header)

    keys = []
    for jwk in json.loads(jwks)["keys"]:
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            fail("unexpected JWK %r" % jwk)
        keys.append(Ed25519PublicKey.from_public_bytes(b64url(jwk["x"])))
    signing_input = (parts[0] + "." + parts[1]).encode("ascii")
    signature = b64url(parts[2])
    verified = False
    for key in keys:
        try:
            key.verify(signature, signing_input)
            verified = True
            break
        except InvalidSignature:
            pass
    if not verified:
        fail("no key verifies the signature")

    claims = json.loads(b64url(parts[1]))
    expected = {"aud", "iat", "iss", "jti", "projectId", "version", "writeProfiles"}
    if set(claims) != expected:
        fail("claims are %s" % sorted(claims))
    if claims["aud"] != project_id or claims["projectId"] != project_id:
        fail("aud/projectId %r/%r, expected %r" % (claims["aud"], claims["projectId"], project_id))
    iat = claims["iat"]
    # nanoseconds since the epoch: an integer after 2020 in ns (1.5e18) and before 2100 in ns
    if type(iat) is not int or not (1_577_836_800 * 10**9 <= iat < 4_102_444_800 * 10**9):
        fail("iat %r is not an integer number of nanoseconds" % (iat,))
    if claims["iss"] != issuer:
        fail("iss %r, expected %r" % (claims["iss"], issuer))
    if str(uuid.UUID(claims["jti"])) != claims["jti"]:
        fail("jti %r is not a UUID" % claims["jti"])
    if claims["version"] != "1.0.0":
        fail("version %r" % claims["version"])
    if claims["writeProfiles"] is not True:
        fail("writeProfiles %r" % claims["writeProfiles"])
    print("ok " + claims["jti"])


if __name__ == "__main__":
    main()
