"""NTAG write protection: one password per card, derived from a per-batch secret.

Choice: PWD = first 4 bytes and PACK = next 2 bytes of HMAC-SHA256(batch key, "regie-ntag-pwd"
+ UID). A per-card password because PWD_AUTH crosses the air in clear: whoever sniffs one
card learns that card's password, not the batch's. The 32-byte batch key is drawn at random
when the batch is created and lives only in the database (``card_batch.protect_key``); it is
never printed or logged, nor are the passwords. AUTH0 = 4 protects writes from the first user
page on; ACCESS keeps PROT = 0 so that phones still read the URL, and AUTHLIM = 0 because a
limit would brick a card after a few wrong taps at a badly configured station.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

AUTH0_PROTECT_ALL = 4  # first user page


@dataclass(frozen=True)
class CardPassword:
    pwd: bytes
    pack: bytes

    def __repr__(self) -> str:  # never in a log by accident
        return "CardPassword(…)"


def new_batch_key() -> str:
    return secrets.token_hex(32)


def card_password(batch_key: str, uid: bytes) -> CardPassword:
    digest = hmac.new(bytes.fromhex(batch_key), b"regie-ntag-pwd" + uid, hashlib.sha256).digest()
    return CardPassword(pwd=digest[:4], pack=digest[4:6])
