"""The bureau's improvement loop: a review queue over the question log, verdicts, and what they feed.

- `queue.queue`: the questions worth a person's look (not answered, a guess, a 👎), grouped the way the
  analytics page groups them, each with the masked turns around it in its conversation.
- `queue.gap_report`: the 政策空白 and out-of-scope verdicts grouped by theme, for the policy office.
- `python -m bot.review export`: the reviewed questions as Rasa NLU training data (bot.review.export).
- `aspects`: the aspects (NLU intents) and verdicts a reviewer picks from.

Plain functions over the app database and the knowledge base; the staff API (bot.staff.reviews) and
the analytics export call them. Texts are read masked and masked again (masking is idempotent);
conversation ids are used to find neighbouring turns and never leave this module.
"""
