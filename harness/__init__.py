"""The product started for real, for the end-to-end tests and the benchmark (scripts/bench.py): the stack,
production mode on throwaway PostgreSQL and Redis, and WeChat's side of its protocol. Outside tests/ so that
the benchmark needs nothing of the test suite; it imports no test and no test imports it back the other way."""
