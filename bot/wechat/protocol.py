"""The Official Account message protocol: signatures, the XML WeChat's servers send, passive replies, and
safe mode (AES). wechatpy does the AES envelope; the parsing is ours, stricter than wechatpy's, because
the body comes from the internet until its signature is checked (and a signed body is still refused
when it holds a DTD).

Protocol (公众号开发文档 → 消息管理 → 接收普通消息 / 被动回复用户消息 / 消息加解密):
- every request carries ?signature=sha1(sorted(token, timestamp, nonce))&timestamp&nonce;
- the server URL check is a GET with &echostr, echoed back;
- a message is a POST of <xml><ToUserName/><FromUserName/><CreateTime/><MsgType/>…</xml>;
- in safe mode (&encrypt_type=aes) the body is <xml><ToUserName/><Encrypt/></xml> with
  &msg_signature=sha1(sorted(token, timestamp, nonce, Encrypt)), and the reply goes back encrypted.
"""

from __future__ import annotations

import hmac
import re
import secrets
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

# WeChat signs with its own clock; a request older (or newer) than this is a replay or a broken clock.
MAX_CLOCK_SKEW_S = 300
# A real message is well under 2 kB (a text message holds at most 2,048 bytes of content); the AES
# envelope adds a third. Anything bigger is refused before it is parsed.
MAX_BODY_BYTES = 16 * 1024
# OpenIDs are 28 characters of base64url; account ids are gh_ + hex. Checked so that nothing else
# reaches Rasa as a sender id or goes back out inside the reply's XML.
_USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A DTD is the only way to declare entities (billion laughs) or pull in external ones (XXE). WeChat
# never sends one, so any body that has one is refused before a parser sees it.
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
# Characters XML 1.0 cannot carry at all (not even in CDATA).
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class BadMessageError(ValueError):
    """The body is not a message this server accepts (malformed, hostile or incomplete XML)."""


class BadSignatureError(ValueError):
    """The request was not signed with our token, or the signature is stale."""


@dataclass(frozen=True)
class Inbound:
    """One message or event from a follower, as the fields the channel uses."""

    to_user: str  # the Official Account (gh_…)
    from_user: str  # the follower's OpenID
    create_time: int
    msg_type: str  # text, voice, image, location, link, video, shortvideo, event, …
    msg_id: str | None = None
    content: str | None = None  # text messages
    recognition: str | None = None  # voice messages with speech recognition switched on
    event: str | None = None  # subscribe, unsubscribe, SCAN, CLICK, …


def signature(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce, *extra)
    return str(signer.signature)


def check_signature(query: Mapping[str, str], token: str, *, now: float | None = None) -> None:
    """Raise BadSignatureError unless ?signature matches the token and ?timestamp is recent."""
    timestamp, nonce, given = query.get("timestamp", ""), query.get("nonce", ""), query.get("signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12 and nonce and given):
        raise BadSignatureError("missing or malformed signature parameters")
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_CLOCK_SKEW_S:
        raise BadSignatureError("stale timestamp")
    # Constant-time compare: the signature must not be guessable byte by byte from response times.
    if not hmac.compare_digest(signature(token, timestamp, nonce).encode(), given.encode()):
        raise BadSignatureError("signature does not match")


def parse_xml(body: bytes) -> dict[str, Any]:
    """The children of the <xml> root of `body`; BadMessageError for anything that is not such a document."""
    if len(body) > MAX_BODY_BYTES:
        raise BadMessageError("body too large")
    try:
        # Decoded here, strictly: WeChat sends UTF-8, and a DTD must not hide in another encoding.
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadMessageError("not UTF-8") from None
    if _DTD.search(text):
        raise BadMessageError("DTDs are not accepted")
    try:
        # disable_entities (the default) is a second lock: an entity declaration raises.
        document = xmltodict.parse(text, disable_entities=True)
    except Exception as exc:  # expat errors, ValueError from the entity lock, RecursionError
        raise BadMessageError(f"not well-formed XML: {exc}") from None
    root = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(root, dict):
        raise BadMessageError("no <xml> root with fields")
    return root


def decrypt(
    fields: Mapping[str, Any], query: Mapping[str, str], token: str, aes_key: str, appid: str
) -> dict[str, Any]:
    """The inner message of a safe-mode envelope, after checking ?msg_signature."""
    encrypted = fields.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise BadMessageError("safe mode without <Encrypt>")
    expected = signature(token, query.get("timestamp", ""), query.get("nonce", ""), encrypted)
    if not hmac.compare_digest(expected.encode(), query.get("msg_signature", "").encode()):
        raise BadSignatureError("msg_signature does not match")
    try:
        inner = _crypto(token, aes_key, appid).decrypt_message(
            {"Encrypt": encrypted}, expected, query["timestamp"], query["nonce"]
        )
    except Exception as exc:  # bad base64, padding, length, or a message for another AppID
        raise BadMessageError(f"cannot decrypt: {exc!r}") from None
    return parse_xml(inner.encode("utf-8"))


def inbound(fields: Mapping[str, Any]) -> Inbound:
    """The message in the fields of a (decrypted) <xml> document; BadMessageError when a field is missing."""
    to_user, from_user = _field(fields, "ToUserName"), _field(fields, "FromUserName")
    msg_type, create_time = _field(fields, "MsgType"), _field(fields, "CreateTime")
    if not (to_user and from_user and msg_type and create_time):
        raise BadMessageError("ToUserName, FromUserName, CreateTime and MsgType are required")
    if not (_USER_ID.fullmatch(to_user) and _USER_ID.fullmatch(from_user)):
        raise BadMessageError("unexpected characters in ToUserName or FromUserName")
    if not (create_time.isascii() and create_time.isdigit() and len(create_time) <= 12):
        raise BadMessageError("CreateTime is not a number")
    msg_id = _field(fields, "MsgId")
    return Inbound(
        to_user=to_user,
        from_user=from_user,
        create_time=int(create_time),
        msg_type=msg_type.strip().lower(),
        msg_id=msg_id.strip() if msg_id else None,
        content=_field(fields, "Content"),
        recognition=_field(fields, "Recognition"),
        event=(_field(fields, "Event") or "").strip().lower() or None,
    )


def text_reply(message: Inbound, content: str, create_time: int | None = None) -> str:
    """The passive reply XML: From and To swapped, MsgType text."""
    # The template puts Content inside CDATA: "]]>" in it would end the section early, so it is split
    # across two sections; characters XML cannot hold at all are dropped.
    safe = _NOT_XML.sub("", content).replace("]]>", "]]]]><![CDATA[>")
    reply = TextReply(
        source=message.to_user,
        target=message.from_user,
        content=safe,
        time=int(time.time()) if create_time is None else create_time,
    )
    return str(reply.render())


def encrypt(reply_xml: str, nonce: str, token: str, aes_key: str, appid: str) -> str:
    """The safe-mode envelope of a reply, signed with the request's nonce and the current time."""
    return str(_crypto(token, aes_key, appid).encrypt_message(reply_xml, nonce, str(int(time.time()))))


class _PrpCrypto(PrpCrypto):
    # wechatpy draws the 16-byte random prefix with `random.sample`; it is the effective IV of
    # WeChat's CBC scheme (the IV proper is fixed), so draw it from the OS instead.
    def get_random_string(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return "".join(secrets.choice(alphabet) for _ in range(16))


class _Crypto(WeChatCrypto):
    def encrypt_message(self, msg: str, nonce: str, timestamp: str | None = None) -> str:
        return str(self._encrypt_message(msg, nonce, timestamp, _PrpCrypto))


def _crypto(token: str, aes_key: str, appid: str) -> _Crypto:
    return _Crypto(token, aes_key, appid)


def _field(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):  # repeated or nested: not what WeChat sends
        raise BadMessageError(f"<{name}> is not a single text field")
    return value
