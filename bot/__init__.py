"""The gateway in front of Rasa: chat API, question log, hand-off tickets, health.

`app_store`, `app_store.privacy` and `bot.settings` are imported by the Rasa custom actions too, so nothing at
package level may import aiohttp.
"""
