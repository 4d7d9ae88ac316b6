"""Request handlers; routes.py says which URL goes where."""
