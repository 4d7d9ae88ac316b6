"""The processes of the product and the supervisor that keeps them running.

`processes.py` is the one place where each process's command line is written (the supervisor's config,
the test harness and the operator's guide to several machines all take it from there); `config.py` turns
the list into a supervisord configuration; `python -m supervise` writes that file.
"""
