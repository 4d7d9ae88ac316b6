"""GET and POST /wechat: the server URL entered in the Official Account console."""

from __future__ import annotations

from aiohttp import web

from bot import errors
from bot.appkeys import SETTINGS
from bot.wechat import messages, protocol
from bot.wechat.channel import deliver

# WeChat's "received, no reply": it then neither shows anything nor retries.
SUCCESS = "success"


async def verify(request: web.Request) -> web.Response:
    """The console's check of the server URL: echo `echostr` when the request is signed with our token."""
    try:
        protocol.check_signature(request.query, _token(request))
    except protocol.BadSignatureError:
        return errors.json_error(403, messages.BAD_SIGNATURE)
    echostr = request.query.get("echostr")
    if not echostr:
        return errors.json_error(400, messages.NO_ECHOSTR)
    return web.Response(text=echostr, content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    """A follower's message or event in (plain or safe mode), the passive reply out."""
    settings = request.app[SETTINGS]
    token = _token(request)
    # Signature first, before the body is even read: an unsigned request costs nothing and logs nothing.
    try:
        protocol.check_signature(request.query, token)
    except protocol.BadSignatureError:
        return errors.json_error(403, messages.BAD_SIGNATURE)
    if (request.content_length or 0) > protocol.MAX_BODY_BYTES:
        return errors.json_error(413, errors.BODY_TOO_LARGE)
    body = await request.read()  # over the app's client_max_size: 413 from the middleware
    safe_mode = request.query.get("encrypt_type", "").lower() == "aes"
    try:
        fields = protocol.parse_xml(body)
        if safe_mode:
            if not (settings.wechat_aes_key and settings.wechat_appid):
                return errors.json_error(400, messages.NO_SAFE_MODE)
            fields = protocol.decrypt(fields, request.query, token, settings.wechat_aes_key, settings.wechat_appid)
        message = protocol.inbound(fields)
    except protocol.BadSignatureError:
        return errors.json_error(403, messages.BAD_SIGNATURE)
    except protocol.BadMessageError:
        status = 413 if len(body) > protocol.MAX_BODY_BYTES else 400
        return errors.json_error(status, errors.BODY_TOO_LARGE if status == 413 else messages.BAD_MESSAGE)

    delivery = await deliver(request, message)
    if delivery.text is None:
        return web.Response(text=SUCCESS, content_type="text/plain")
    reply = protocol.text_reply(message, delivery.text, create_time=delivery.created_at)
    if safe_mode:
        assert settings.wechat_aes_key and settings.wechat_appid  # checked above
        reply = protocol.encrypt(reply, request.query["nonce"], token, settings.wechat_aes_key, settings.wechat_appid)
    return web.Response(text=reply, content_type="application/xml")


def _token(request: web.Request) -> str:
    token = request.app[SETTINGS].wechat_token
    assert token is not None  # the routes exist only when it is set
    return token
