"""Infrastructure every layer may use (policy_kb, policy_answers, policy_rasa, app_store, bot): it imports
nothing of the project, so importing it never breaks the layering (lower layers never import upper ones).
What more than one layer must agree on lives here: the SQLite settings of the stores, the patterns of
personal data (the cleaner and the app database's masking) and the `Outcome` of a turn (the engine decides
it, the question log stores it)."""
