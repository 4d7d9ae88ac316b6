"""The public policy calculator page: /calculator (HTML, works without script: a GET form, shareable and
printable) and /api/calculator (the same answer as JSON). Both call policy_answers.calculator, the code path
the bot's "我们是…有什么政策" answers with."""

from bot.calculator.views import setup_calculator

__all__ = ["setup_calculator"]
