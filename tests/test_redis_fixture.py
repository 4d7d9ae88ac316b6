"""The redis_url fixture gives a working Redis server."""

import redis


def test_redis_url_round_trips_values(redis_url):
    assert redis_url.startswith("redis://127.0.0.1:")
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        client.set("question:1", "特派员 奖励", ex=60)
        assert client.get("question:1") == "特派员 奖励"
        assert client.config_get("save") == {"save": ""}
    finally:
        client.delete("question:1")
        client.close()
