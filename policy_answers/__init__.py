"""The answer engine: what a question is about and what to answer, decided without Rasa.

`clean` makes user text comparable (one form of every character, no markup, no personal numbers);
`outcome` is the one list of what a turn can end as, shared by the actions, the question log and
the analytics.
"""
