"""WeChat's side of the Official Account protocol, written from the public documentation and
independent of bot/wechat/: how WeChat's servers sign, build and encrypt what they POST to the
server URL, and how they read the passive reply. Used by the gateway and end-to-end tests."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN = "weihaiKjj2018"
APPID = "wx5f3c1a2b4d6e8f90"
# 43 characters, as the console generates them.
AES_KEY = base64.b64encode(bytes(range(1, 33))).decode().rstrip("=")
ACCOUNT = "gh_0123456789ab"
BLOCK = 32  # WeChat pads with PKCS#7 to 32-byte blocks, not AES's 16


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed_query(token: str = TOKEN, *, timestamp: int | None = None, **extra: str) -> dict[str, str]:
    ts, nonce = str(int(time.time()) if timestamp is None else timestamp), str(secrets.randbelow(10**9))
    return {"signature": sign(token, ts, nonce), "timestamp": ts, "nonce": nonce, **extra}


def url(base: str, query: dict[str, str]) -> str:
    return f"{base}/wechat?{urlencode(query)}"


def message_xml(
    openid: str, msg_type: str, *, msg_id: int | None = None, create_time: int | None = None, **fields: str
) -> str:
    """A message as WeChat posts it: text values in CDATA, numbers bare."""
    parts = [
        f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
    ]
    parts += [f"<{name}><![CDATA[{value}]]></{name}>" for name, value in fields.items()]
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_message(openid: str, content: str, msg_id: int | None = None) -> str:
    return message_xml(openid, "text", msg_id=msg_id or new_msg_id(), Content=content)


def new_msg_id() -> int:
    return secrets.randbits(63)


def new_openid() -> str:
    return "o" + base64.urlsafe_b64encode(os.urandom(20)).decode().rstrip("=")[:27]


def _key() -> bytes:
    return base64.b64decode(AES_KEY + "=")


def encrypt(plain_xml: str, appid: str = APPID) -> str:
    """AES-256-CBC, IV = first 16 bytes of the key, of random(16) + len(4, big-endian) + xml + appid."""
    body = plain_xml.encode()
    data = os.urandom(16) + struct.pack(">I", len(body)) + body + appid.encode()
    pad = BLOCK - len(data) % BLOCK
    data += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(_key()), modes.CBC(_key()[:16])).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def decrypt(encrypted: str) -> tuple[str, str]:
    """(xml, appid) of an encrypted reply."""
    decryptor = Cipher(algorithms.AES(_key()), modes.CBC(_key()[:16])).decryptor()
    data = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    data = data[: -data[-1]]
    length = struct.unpack(">I", data[16:20])[0]
    return data[20 : 20 + length].decode(), data[20 + length :].decode()


def safe_request(plain_xml: str, token: str = TOKEN) -> tuple[dict[str, str], str]:
    """Query and body of a safe-mode (encrypt_type=aes) POST."""
    encrypted = encrypt(plain_xml)
    query = signed_query(token, encrypt_type="aes", openid="x")
    query["msg_signature"] = sign(token, query["timestamp"], query["nonce"], encrypted)
    body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return query, body


@dataclass(frozen=True)
class Reply:
    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    content: str


def read_reply(xml: str) -> Reply:
    """A passive text reply as the WeChat client would show it; fails on XML that is not well-formed."""
    root = ET.fromstring(xml)
    assert root.tag == "xml", xml

    def field(name: str) -> str:
        node = root.find(name)
        assert node is not None and node.text is not None, (name, xml)
        return node.text

    return Reply(
        field("ToUserName"), field("FromUserName"), int(field("CreateTime")), field("MsgType"), field("Content")
    )


def open_safe_reply(xml: str, nonce: str, token: str = TOKEN) -> str:
    """The plain reply inside a safe-mode reply, after checking its signature and AppID like WeChat does."""
    root = ET.fromstring(xml)
    encrypted, signature = root.findtext("Encrypt"), root.findtext("MsgSignature")
    timestamp, reply_nonce = root.findtext("TimeStamp"), root.findtext("Nonce")
    assert encrypted and signature and timestamp and reply_nonce == nonce, xml
    assert signature == sign(token, timestamp, reply_nonce, encrypted)
    plain, appid = decrypt(encrypted)
    assert appid == APPID
    return plain
