"""End to end: the WeChat channel on the real stack (action server, Rasa, gateway), with requests signed
and encrypted the way WeChat's servers do it (harness/wechat_server.py, written from the protocol)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import wechat_server as wx
from harness.stack import Stack, another_gateway, get_status
from tests.e2e.test_chat import CITE, log_rows

QUESTION = "研发补助最多多少钱"
RD_CITATION = f"{CITE} 二（六）"


def post(stack: Stack | str, body: str | bytes, query: dict[str, str] | None = None) -> tuple[int, str]:
    """POST to the stack's gateway, or to the gateway at the URL given."""
    base = stack if isinstance(stack, str) else stack.url
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(
        wx.url(base, wx.signed_query() if query is None else query), data=data, headers={"Content-Type": "text/xml"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def ask(stack: Stack | str, openid: str, content: str) -> wx.Reply:
    status, body = post(stack, wx.text_message(openid, content))
    assert status == 200, body
    reply = wx.read_reply(body)
    assert (reply.to_user, reply.from_user, reply.msg_type) == (openid, wx.ACCOUNT, "text")
    return reply


def sender(openid: str) -> str:
    return f"wechat:{openid}"


def test_server_url_check(stack: Stack) -> None:
    query = {**wx.signed_query(), "echostr": "7029473946187406541"}
    with urllib.request.urlopen(wx.url(stack.url, query), timeout=10) as response:
        assert response.status == 200 and response.read() == b"7029473946187406541"
    assert get_status(wx.url(stack.url, {**wx.signed_query("wrongToken"), "echostr": "1"})) == 403


def test_forged_signature_is_refused_and_nothing_logged(stack: Stack) -> None:
    openid = wx.new_openid()
    status, body = post(stack, wx.text_message(openid, QUESTION), wx.signed_query("wrongToken"))
    assert status == 403 and "签名校验失败" in body
    assert log_rows(stack, sender(openid), expected=1, timeout=2) == []


def test_policy_question_answered_with_figure_and_citation(stack: Stack) -> None:
    openid = wx.new_openid()
    reply = ask(stack, openid, QUESTION)
    lines = reply.content.splitlines()
    assert "1000万元" in reply.content and RD_CITATION in lines
    assert "*" not in reply.content and len(reply.content.encode()) <= 2048
    assert "卡片" not in reply.content  # WeChat shows no card: the lead units it lists are in the text
    assert "市科技局" in reply.content
    [row] = log_rows(stack, sender(openid), expected=1)
    assert (row.channel, row.text, row.measure, row.outcome) == ("wechat", QUESTION, "rd_subsidy", "answered")
    assert row.conversation != openid and openid not in (row.reply or "")


def test_access_log_keeps_no_openid(stack: Stack) -> None:
    openid = wx.new_openid()
    query = {**wx.signed_query(), "openid": openid}  # WeChat names the follower in the URL as well
    assert post(stack, wx.text_message(openid, QUESTION), query)[0] == 200
    deadline = time.monotonic() + 10
    while '"POST /wechat" 200' not in stack.log_tail("gateway", 2000) and time.monotonic() < deadline:
        time.sleep(0.2)
    log = stack.log_tail("gateway", 2000)
    assert '"POST /wechat" 200' in log and openid not in log


def test_safe_mode_question(stack: Stack) -> None:
    openid = wx.new_openid()
    query, body = wx.safe_request(wx.text_message(openid, QUESTION))
    status, answer = post(stack, body, query)
    assert status == 200, answer
    reply = wx.read_reply(wx.open_safe_reply(answer, query["nonce"]))
    assert reply.to_user == openid and "1000万元" in reply.content and RD_CITATION in reply.content.splitlines()


def test_retry_gets_the_same_reply_and_is_logged_once(stack: Stack) -> None:
    openid = wx.new_openid()
    xml = wx.text_message(openid, "创新券补给谁")
    # WeChat retries after 5 s without an answer; here the retries come at once, while the first is in
    # Rasa, and once more after it was answered.
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: post(stack, xml), range(3)))
    answers.append(post(stack, xml))
    assert answers[0][0] == 200 and all(answer == answers[0] for answer in answers)
    assert "二（十二）" in wx.read_reply(answers[0][1]).content
    assert len(log_rows(stack, sender(openid), expected=2, timeout=3)) == 1


def test_two_gateway_processes_share_retries_and_options(stack: Stack) -> None:
    """Production runs several gateway copies on one socket: WeChat's retry, or the follower's digit,
    may reach the other one. Both processes here are real, on one Rasa and one app database."""
    with another_gateway(stack) as second:
        openid = wx.new_openid()
        xml = wx.text_message(openid, "创新券补给谁")
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda url: post(url, xml), [stack.url, second] * 2))
        answers += [post(second, xml), post(stack.url, xml)]
        assert answers[0][0] == 200 and all(answer == answers[0] for answer in answers)
        assert "二（十二）" in wx.read_reply(answers[0][1]).content
        assert len(log_rows(stack, sender(openid), expected=2, timeout=3)) == 1

        status, body = post(second, wx.message_xml(openid, "event", Event="subscribe", EventKey=""))
        assert status == 200 and "回复 1：研发补助" in wx.read_reply(body).content.splitlines()
        # The digit reaches the first process, which did not send the list.
        assert RD_CITATION in ask(stack.url, openid, "1").content.splitlines()
        rows = log_rows(stack, sender(openid), expected=2)
        assert [row.text for row in rows] == ["创新券补给谁", "研发补助是什么"]


def test_subscribe_welcomes_and_a_digit_picks_an_option(stack: Stack) -> None:
    openid = wx.new_openid()
    status, body = post(stack, wx.message_xml(openid, "event", Event="subscribe", EventKey=""))
    assert status == 200, body
    welcome = wx.read_reply(body).content
    assert "威海县域创新政策助手" in welcome and "研发补助最多多少" in welcome  # greeting and what it covers
    assert "回复 1：研发补助" in welcome.splitlines()
    assert log_rows(stack, sender(openid), expected=1, timeout=2) == []  # an event is not a question
    answer = ask(stack, openid, "1")
    assert RD_CITATION in answer.content.splitlines()
    # That answer had no options of its own, so the welcome's list still holds.
    ask(stack, openid, "3")
    rows = log_rows(stack, sender(openid), expected=2)
    assert [row.text for row in rows] == ["研发补助是什么", "我能享受哪些政策"]
    assert {row.channel for row in rows} == {"wechat"}


def test_voice_message_with_recognition(stack: Stack) -> None:
    openid = wx.new_openid()
    xml = wx.message_xml(
        openid, "voice", msg_id=wx.new_msg_id(), MediaId="media-1", Format="amr", Recognition="研发补助最多多少钱？"
    )
    status, body = post(stack, xml)
    assert status == 200 and "1000万元" in wx.read_reply(body).content
    assert len(log_rows(stack, sender(openid), expected=1)) == 1


def test_image_gets_please_type(stack: Stack) -> None:
    xml = wx.message_xml(
        wx.new_openid(), "image", msg_id=wx.new_msg_id(), PicUrl="http://example.invalid/a.jpg", MediaId="m"
    )
    status, body = post(stack, xml)
    assert status == 200 and "请直接输入您的问题" in wx.read_reply(body).content


@pytest.mark.parametrize(
    "body",
    [
        "<xml><ToUserName>gh_1</ToUserName><FromUserName>oHostile</FromUserName>",
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><ToUserName>gh_1</ToUserName><FromUserName>oHostile'
        "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&c;</Content><MsgId>1</MsgId></xml>",
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh_1'
        "</ToUserName><FromUserName>oHostile</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
        "<Content>&x;</Content><MsgId>2</MsgId></xml>",
        "<xml>" + "x" * 1_000_000 + "</xml>",
    ],
)
def test_malformed_and_hostile_xml_refused(stack: Stack, body: str) -> None:
    status, text = post(stack, body)
    assert status in (400, 413), (status, text)
    assert log_rows(stack, sender("oHostile"), expected=1, timeout=1) == []
    assert get_status(f"{stack.url}/healthz") == 200
