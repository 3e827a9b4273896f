"""core/asgi.py: the ASGI handler keeps its request threads and runs each request's synchronous code in one."""

import asyncio
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.core import signals

from core.asgi import AgoraASGIHandler, RequestThreads

pytestmark = pytest.mark.django_db(transaction=True)


def scope(path="/robots.txt"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def get(application, path="/robots.txt"):
    communicator = ApplicationCommunicator(application, scope(path))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(10)
    body = await communicator.receive_output(10)
    await communicator.wait(10)
    return start["status"], body["body"]


@pytest.fixture
def threads_seen(monkeypatch):
    """Thread ids by step: request_started receivers, the middleware chain and view, request_finished receivers."""
    seen = {"started": [], "view": [], "finished": []}

    def on_started(**kwargs):
        seen["started"].append(threading.get_ident())

    def on_finished(**kwargs):
        seen["finished"].append(threading.get_ident())

    signals.request_started.connect(on_started, dispatch_uid="test-asgi-started")
    signals.request_finished.connect(on_finished, dispatch_uid="test-asgi-finished")
    yield seen
    signals.request_started.disconnect(dispatch_uid="test-asgi-started")
    signals.request_finished.disconnect(dispatch_uid="test-asgi-finished")


def recording(handler, seen, before=None):
    real = handler.get_response

    def get_response(request):
        seen["view"].append(threading.get_ident())
        if before is not None:
            before()
        return real(request)

    handler.get_response = get_response
    return handler


def test_each_request_runs_its_synchronous_code_in_one_thread(threads_seen):
    handler = recording(AgoraASGIHandler(), threads_seen)
    status, body = asyncio.run(get(handler))
    assert status == 200 and b"Disallow: /admin/" in body
    # The same thread from the first receiver to the last: the request's database connection, opened in that
    # thread, is the one request_finished gives back.
    assert len(threads_seen["view"]) == 1
    assert threads_seen["started"] == threads_seen["view"] == threads_seen["finished"]
    assert threads_seen["view"][0] != threading.get_ident()  # not on the event loop
    # The middleware chain is the synchronous one (as under WSGI): the view runs in the same call, with no trip
    # back to the event loop in between.
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)


def test_requests_one_after_another_reuse_a_thread_instead_of_starting_new_ones(threads_seen):
    handler = recording(AgoraASGIHandler(), threads_seen)

    async def several():
        return [await get(handler) for _ in range(5)]

    before = threading.active_count()
    assert [status for status, _ in asyncio.run(several())] == [200] * 5
    assert len(set(threads_seen["view"])) == 1
    assert threading.active_count() <= before + 1
    assert handler.request_threads.idle() == 1


def test_concurrent_requests_each_get_a_thread_of_their_own(threads_seen):
    # Both requests must be inside their view at the same time to pass the barrier: on a shared thread the
    # second would wait behind the first and the barrier would break after its timeout.
    barrier = threading.Barrier(2, timeout=10)
    handler = recording(AgoraASGIHandler(), threads_seen, before=barrier.wait)

    async def together():
        return await asyncio.gather(get(handler), get(handler))

    assert [status for status, _ in asyncio.run(together())] == [200, 200]
    assert len(set(threads_seen["view"])) == 2
    assert handler.request_threads.idle() == 2


def test_idle_request_threads_beyond_the_limit_are_let_go():
    threads = RequestThreads(keep=1)
    first, second = threads.take(), threads.take()
    for executor in (first, second):
        executor.submit(lambda: None).result()
    threads.give_back(first)
    threads.give_back(second)
    assert threads.idle() == 1
    assert threads.take() is first
    assert second._shutdown


def test_the_production_worker_sends_websocket_messages_uncompressed():
    from uvicorn.config import Config

    from core.workers import AgoraUvicornWorker

    config = Config(app="config.asgi:application", **AgoraUvicornWorker.CONFIG_KWARGS)
    assert config.ws_per_message_deflate is False
    serve_prod = (settings.BASE_DIR / "scripts" / "serve_prod.sh").read_text()
    assert "-k core.workers.AgoraUvicornWorker" in serve_prod
    assert "--ws-per-message-deflate false" in serve_prod


def test_requests_beyond_the_bound_wait_their_turn_without_a_thread(settings, threads_seen):
    settings.ASGI_MAX_REQUESTS_IN_PROGRESS = 2
    inside, release = threading.Semaphore(0), threading.Event()

    def hold():
        inside.release()
        release.wait(10)

    handler = recording(AgoraASGIHandler(), threads_seen, before=hold)

    async def three():
        requests = [asyncio.ensure_future(get(handler)) for _ in range(3)]
        await asyncio.to_thread(lambda: [inside.acquire(timeout=10) for _ in range(2)])
        await asyncio.sleep(0.3)
        in_views = len(threads_seen["view"])  # the third has not started: no thread, no view
        release.set()
        return in_views, await asyncio.gather(*requests)

    in_views, answers = asyncio.run(three())
    assert in_views == 2
    assert [status for status, _ in answers] == [200] * 3
    assert len(threads_seen["view"]) == 3
