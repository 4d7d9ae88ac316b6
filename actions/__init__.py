"""Custom actions of the policy assistant: thin readers of the tracker that ask policy_kb and render."""
