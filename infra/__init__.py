"""Infrastructure every layer may use (policy_kb, policy_rasa, app_store, bot): it imports nothing of the
project, so importing it never breaks the layering (lower layers never import upper ones)."""
