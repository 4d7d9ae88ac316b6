"""What the WeChat channel itself says (the answers come from Rasa, worded in the domain and templates)."""

from __future__ import annotations

# Buttons as numbered options, one line each, and the hint of a reply split into parts.
OPTION = "回复 {number}：{title}"
MORE_HINT = "内容较长，回复 {digit} 查看后续内容"
# Images, locations, links, videos, files: nothing the bot can read.
PLEASE_TYPE = "暂时只能回答文字提问，请直接输入您的问题，例如“研发补助最多多少”。"
# A voice message WeChat could not turn into text (or recognition is switched off for the account).
VOICE_NOT_RECOGNISED = "抱歉，没能听清这条语音，请再说一次，或直接输入文字提问。"
# The welcome on subscribe when Rasa cannot be asked for its own greeting.
WELCOME_FALLBACK = "您好，欢迎关注！请直接输入您想了解的县域创新政策问题，例如“研发补助最多多少”。"
BAD_SIGNATURE = "签名校验失败"
BAD_MESSAGE = "消息格式不正确"
NO_SAFE_MODE = "未配置消息加解密密钥（WECHAT_AES_KEY），无法处理安全模式的消息"
NO_ECHOSTR = "缺少 echostr 参数"
