"""/wechat against the stand-in Rasa: the protocol's edges (signatures, safe mode, retries, digits,
hostile bodies). The same channel against the real stack: tests/e2e/test_wechat.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from app_store.privacy import pseudonym
from bot.wechat.fit import fit
from harness import wechat_server as wx
from tests.bot.conftest import SECRET, logged_rows
from tests.bot.stub_rasa import StubRasa

WECHAT = {"wechat_token": wx.TOKEN, "wechat_appid": wx.APPID, "wechat_aes_key": wx.AES_KEY}


@pytest.fixture
async def channel(make_gateway: Callable[..., Any]) -> TestClient:
    return await make_gateway(**WECHAT)


def path(query: dict[str, str]) -> str:
    return "/wechat?" + urlencode(query)


async def post(client: TestClient, xml: str | bytes, query: dict[str, str] | None = None) -> tuple[int, str]:
    response = await client.post(
        path(wx.signed_query() if query is None else query), data=xml, headers={"Content-Type": "text/xml"}
    )
    return response.status, await response.text()


async def ask(client: TestClient, openid: str, content: str, msg_id: int | None = None) -> wx.Reply:
    status, body = await post(client, wx.text_message(openid, content, msg_id))
    assert status == 200, body
    return wx.read_reply(body)


async def test_off_without_a_token(gateway: TestClient) -> None:
    response = await gateway.get(path({**wx.signed_query(), "echostr": "123"}))
    assert response.status == 404


async def test_server_url_check_echoes_echostr(channel: TestClient) -> None:
    response = await channel.get(path({**wx.signed_query(), "echostr": "5837141916781063285"}))
    assert response.status == 200 and await response.text() == "5837141916781063285"


@pytest.mark.parametrize(
    "query",
    [
        {**wx.signed_query("otherToken"), "echostr": "1"},
        {**wx.signed_query(timestamp=int(time.time()) - 3600), "echostr": "1"},  # a replay an hour later
        {"timestamp": str(int(time.time())), "nonce": "1", "echostr": "1"},
        {},
    ],
)
async def test_forged_or_stale_signatures_are_refused(
    channel: TestClient, stub_rasa: StubRasa, query: dict[str, str]
) -> None:
    assert (await channel.get(path(query))).status == 403
    status, body = await post(channel, wx.text_message(wx.new_openid(), "研发补助"), query)
    assert status == 403 and "签名" in body
    assert stub_rasa.received == [] and await logged_rows(channel) == []


async def test_text_message_answered_as_passive_reply_and_logged(channel: TestClient, stub_rasa: StubRasa) -> None:
    openid = wx.new_openid()
    reply = await ask(channel, openid, "农科驿站补多少")
    assert (reply.to_user, reply.from_user, reply.msg_type) == (openid, wx.ACCOUNT, "text")
    # Text, then the button as an option; the card is not repeated (the text carries it).
    assert reply.content == "农科驿站每个补助5万元。依据：威政办发〔2018〕32号 二（六）\n回复 1：申请条件"
    assert abs(reply.create_time - time.time()) < 60
    assert stub_rasa.received[0]["sender"] == f"wechat:{openid}"
    assert stub_rasa.received[0]["metadata"] == {"channel": "wechat"}
    [row] = await logged_rows(channel)
    assert (row.channel, row.text) == ("wechat", "农科驿站补多少")
    assert row.conversation == pseudonym(SECRET, f"wechat:{openid}")


async def test_a_digit_answers_the_numbered_option(channel: TestClient, stub_rasa: StubRasa) -> None:
    openid = wx.new_openid()
    await ask(channel, openid, "农科驿站补多少")
    await ask(channel, openid, "１")  # a full-width digit from a Chinese keyboard
    assert stub_rasa.received[1]["message"] == "/ask_conditions"
    await ask(channel, openid, "7")  # no such option: an ordinary message
    assert stub_rasa.received[2]["message"] == "7"


async def test_wechat_emoticons_are_not_sent_to_rasa(channel: TestClient, stub_rasa: StubRasa) -> None:
    openid = wx.new_openid()
    await ask(channel, openid, "/:,@P农科驿站补多少/::)")
    assert stub_rasa.received[0]["message"] == "农科驿站补多少"
    assert "请直接输入您的问题" in (await ask(channel, openid, "/::)/::~")).content
    assert len(stub_rasa.received) == 1


async def test_safe_mode_round_trip(channel: TestClient) -> None:
    openid = wx.new_openid()
    query, body = wx.safe_request(wx.text_message(openid, "农科驿站补多少"))
    status, answer = await post(channel, body, query)
    assert status == 200, answer
    reply = wx.read_reply(wx.open_safe_reply(answer, query["nonce"]))
    assert reply.to_user == openid and "5万元" in reply.content


async def test_safe_mode_needs_the_message_signature(channel: TestClient, stub_rasa: StubRasa) -> None:
    query, body = wx.safe_request(wx.text_message(wx.new_openid(), "农科驿站补多少"))
    query["msg_signature"] = "0" * 40
    assert (await post(channel, body, query))[0] == 403
    assert stub_rasa.received == []


async def test_retry_gets_the_same_reply_and_rasa_sees_it_once(channel: TestClient, stub_rasa: StubRasa) -> None:
    stub_rasa.delay_s = 0.3  # the retries arrive while the first delivery is still being answered
    openid, msg_id = wx.new_openid(), wx.new_msg_id()
    xml = wx.text_message(openid, "农科驿站补多少", msg_id)
    answers = await asyncio.gather(*(post(channel, xml) for _ in range(3)))
    later = await post(channel, xml)
    assert {answer for answer in [*answers, later]} == {answers[0]} and answers[0][0] == 200
    assert len(stub_rasa.received) == 1
    assert len(await logged_rows(channel)) == 1


async def test_subscribe_gets_the_greeting_and_is_not_a_question(channel: TestClient, stub_rasa: StubRasa) -> None:
    openid = wx.new_openid()
    status, body = await post(channel, wx.message_xml(openid, "event", Event="subscribe", EventKey=""))
    assert status == 200 and "5万元" in wx.read_reply(body).content  # the stub's answer to anything
    assert [m["message"] for m in stub_rasa.received] == ["/greet", "/what_can_you_do"]
    assert await logged_rows(channel) == []


async def test_voice_with_recognition_is_a_question(channel: TestClient, stub_rasa: StubRasa) -> None:
    xml = wx.message_xml(
        wx.new_openid(), "voice", msg_id=wx.new_msg_id(), MediaId="m1", Format="amr", Recognition="农科驿站补多少？"
    )
    status, body = await post(channel, xml)
    assert status == 200 and "5万元" in wx.read_reply(body).content
    assert stub_rasa.received[0]["message"] == "农科驿站补多少？"


@pytest.mark.parametrize(
    ("msg_type", "fields", "expected"),
    [
        ("voice", {"MediaId": "m1", "Format": "amr"}, "语音"),
        ("image", {"PicUrl": "http://example.invalid/a.jpg", "MediaId": "m"}, "文字"),
        ("location", {"Location_X": "37.5", "Location_Y": "122.1", "Scale": "15", "Label": "威海"}, "文字"),
    ],
)
async def test_what_the_bot_cannot_read_gets_a_sentence(
    channel: TestClient, stub_rasa: StubRasa, msg_type: str, fields: dict[str, str], expected: str
) -> None:
    status, body = await post(channel, wx.message_xml(wx.new_openid(), msg_type, msg_id=wx.new_msg_id(), **fields))
    assert status == 200 and expected in wx.read_reply(body).content
    assert stub_rasa.received == []


@pytest.mark.parametrize(
    "xml",
    [
        wx.message_xml("oUser", "event", Event="unsubscribe"),
        wx.message_xml("oUser", "event", Event="VIEW", EventKey="https://example.invalid"),
        wx.message_xml("oUser", "miniprogrampage", msg_id=1, Title="x"),
    ],
    ids=["unsubscribe", "view", "miniprogrampage"],  # the XML holds the time: pytest-xdist's workers must agree
)
async def test_other_events_and_types_get_success(channel: TestClient, stub_rasa: StubRasa, xml: str) -> None:
    assert await post(channel, xml) == (200, "success")
    assert stub_rasa.received == []


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xml><ToUserName>gh_1</ToUserName><FromUserName>oUser</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&d;</Content><MsgId>1</MsgId></xml>"""
XXE = """<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh_1</ToUserName><FromUserName>oUser</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&x;</Content><MsgId>1</MsgId></xml>"""


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        XXE,
        BILLION_LAUGHS.encode("utf-16"),  # a DTD hidden in another encoding
        "<xml><ToUserName>gh_1</ToUserName>",  # cut off
        "not xml at all",
        "",
        "<xml>just text</xml>",
        "<other><MsgType>text</MsgType></other>",
        "<xml><MsgType>text</MsgType><Content>missing sender</Content></xml>",
        "<xml><ToUserName>gh_1</ToUserName><FromUserName>o</FromUserName><FromUserName>p</FromUserName>"
        "<CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
        "<xml><ToUserName>gh_1</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>&undefined;</Content></xml>",
        "<xml><ToUserName>gh_1</ToUserName><FromUserName>o</FromUserName><CreateTime>soon</CreateTime>"
        "<MsgType>text</MsgType><Content>hi</Content></xml>",
        wx.message_xml("o<b>", "text", msg_id=1, Content="hi"),
        "<xml>" + "<a>" * 100_000,
        b"\xff\xfe\x00garbage",
    ],
    ids=[  # the XML of one holds the time: named, so pytest-xdist's workers collect the same ids
        "billion-laughs",
        "xxe",
        "utf16-dtd",
        "cut-off",
        "not-xml",
        "empty",
        "text-only",
        "other-root",
        "no-sender",
        "two-senders",
        "undefined-entity",
        "bad-time",
        "markup-sender",
        "deep-nesting",
        "garbage-bytes",
    ],
)
async def test_malformed_and_hostile_bodies_are_refused(
    channel: TestClient, stub_rasa: StubRasa, body: str | bytes
) -> None:
    status, text = await post(channel, body)
    assert status in (400, 413), (status, text)
    assert stub_rasa.received == [] and await logged_rows(channel) == []


async def test_huge_bodies_are_refused_before_parsing(channel: TestClient) -> None:
    assert (await post(channel, "<xml>" + "x" * 20_000 + "</xml>"))[0] == 413
    assert (await post(channel, b"<xml>" + b"x" * 200_000 + b"</xml>"))[0] == 413


async def test_over_long_question_gets_the_limit_sentence(
    make_gateway: Callable[..., Any], stub_rasa: StubRasa
) -> None:
    client = await make_gateway(**WECHAT, max_message_chars=10)
    reply = await ask(client, wx.new_openid(), "研发补助" * 10)
    assert "不超过10个字" in reply.content and stub_rasa.received == []


async def test_rasa_down_gets_a_chinese_sentence(channel: TestClient, stub_rasa: StubRasa) -> None:
    stub_rasa.status = 500
    reply = await ask(channel, wx.new_openid(), "研发补助")
    assert "12345" in reply.content


@pytest.fixture
async def two_copies(make_gateway: Callable[..., Any]) -> tuple[TestClient, TestClient]:
    """Two gateway copies on one app database, as production runs them on one socket."""
    return await make_gateway(**WECHAT), await make_gateway(**WECHAT)


async def test_a_retry_reaching_the_other_copy_gets_the_same_reply(
    two_copies: tuple[TestClient, TestClient], stub_rasa: StubRasa
) -> None:
    a, b = two_copies
    stub_rasa.delay_s = 0.5
    xml = wx.text_message(wx.new_openid(), "农科驿站补多少", wx.new_msg_id())
    answers = await asyncio.gather(post(a, xml), post(b, xml), post(a, xml), post(b, xml))
    answers += [await post(b, xml), await post(a, xml)]
    assert {answer for answer in answers} == {answers[0]} and answers[0][0] == 200
    assert "5万元" in wx.read_reply(answers[0][1]).content
    assert len(stub_rasa.received) == 1
    assert len(await logged_rows(a)) == len(await logged_rows(b)) == 1


async def test_a_digit_or_0_reaching_the_other_copy_picks_from_the_last_reply(
    two_copies: tuple[TestClient, TestClient], stub_rasa: StubRasa
) -> None:
    a, b = two_copies
    openid = wx.new_openid()
    await ask(a, openid, "农科驿站补多少")
    await ask(b, openid, "1")
    assert stub_rasa.received[1]["message"] == "/ask_conditions"
    # A reply too long for one message: part 1 from copy A, part 2 from copy B for "0", not asked again.
    long_text = "。".join(f"第{n}条说明农科驿站的支持内容和申请方式" for n in range(80)) + "。"
    stub_rasa.answer = {**stub_rasa.answer, "messages": [{"recipient_id": "x", "text": long_text}]}
    parts = fit([{"text": long_text}]).parts
    assert len(parts) == 3
    assert (await ask(a, openid, "农科驿站怎么申请")).content == parts[0]
    assert [(await ask(copy, openid, "0")).content for copy in (b, a)] == list(parts[1:])
    assert len(stub_rasa.received) == 3
    assert [row.text for row in await logged_rows(b)] == ["农科驿站补多少", "/ask_conditions", "农科驿站怎么申请"]
