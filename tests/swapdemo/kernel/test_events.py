"""The brokers: ids in order, replay after an id, and a lost history said rather than hidden."""

from __future__ import annotations

import os
import threading

import pytest

from swapdemo.kernel.events import MemoryBroker, position

REDIS = os.environ.get("SWAPDEMO_TEST_REDIS_URL")


def brokers():
    yield pytest.param(lambda history: MemoryBroker(history), id="memory")
    if REDIS:

        def redis_broker(history: int):
            import redis

            from swapdemo.kernel.redis_events import RedisBroker

            stream = f"swapdemo:test:{os.getpid()}:{threading.get_ident()}"
            redis.Redis.from_url(REDIS).delete(stream, f"{stream}:epoch")
            return RedisBroker(REDIS, history=history, stream=stream)

        yield pytest.param(redis_broker, id="redis")


@pytest.mark.parametrize("make", list(brokers()))
def test_replay_after_an_id_in_order(make) -> None:
    broker = make(100)
    ids = [broker.publish("proposal", {"n": n}) for n in range(10)]
    assert [position(i) for i in ids] == sorted(position(i) for i in ids)
    missed, gap = broker.since(ids[3], recent=20)
    assert not gap and [e.data["n"] for e in missed] == list(range(4, 10))
    recent, gap = broker.since(None, recent=3)
    assert not gap and [e.data["n"] for e in recent] == [7, 8, 9]
    assert [e.data["n"] for e in broker.read(ids[7], 0.1)] == [8, 9]
    assert broker.newest() == ids[-1]


@pytest.mark.parametrize("make", list(brokers()))
def test_what_left_the_history_or_another_epoch_is_a_gap(make) -> None:
    broker = make(5)
    ids = [broker.publish("proposal", {"n": n}) for n in range(12)]
    assert broker.since(ids[2], recent=20) == ([], True)  # 3..6 were trimmed away
    kept, gap = broker.since(ids[7], recent=20)
    assert not gap and [e.data["n"] for e in kept] == [8, 9, 10, 11]
    assert broker.since("another-epoch:1", recent=20) == ([], True)


def test_a_reader_waits_for_the_next_event() -> None:
    broker = MemoryBroker()
    last = broker.publish("proposal", {"n": 0})
    threading.Timer(0.05, broker.publish, ("proposal", {"n": 1})).start()
    assert [e.data["n"] for e in broker.read(last, 5)] == [1]


@pytest.mark.skipif(not REDIS, reason="set SWAPDEMO_TEST_REDIS_URL to run the Redis broker")
def test_a_redis_that_does_not_answer_is_logged_once_and_publishing_goes_on(caplog) -> None:
    from swapdemo.kernel.redis_events import RedisBroker
    from tests.conftest import TcpProxy

    proxy = TcpProxy(6379)
    broker = RedisBroker(f"redis://127.0.0.1:{proxy.port}/0", stream=f"swapdemo:test:{os.getpid()}:down")
    assert broker.publish("proposal", {"n": 0})
    proxy.stop()
    assert broker.publish("proposal", {"n": 1}) is None and broker.publish("proposal", {"n": 2}) is None
    assert sum("Redis is not answering" in r.getMessage() for r in caplog.records) == 1
