"""The HTTP side of config/asgi.py: Django's ASGI handler, with request threads that are kept, and the middleware
chain run as under WSGI.

Measured by bench/load_mixed (docs/benchmarks.md, run 10): under load the event loop of a server process spent
about 30 % of its time blocked in `Thread.start()`, and requests queued for hundreds of milliseconds between the
loop and their thread while the process was mostly idle. Two causes in Django's ASGIHandler, fixed here:

1. **A new thread per request.** Each request runs its synchronous code in a `ThreadSensitiveContext` (one
   thread per request, so its database connection stays in one thread). asgiref creates that thread on the
   request's first synchronous call and starts another one to join it at the end, and `Thread.start()` blocks
   the event loop until the new thread runs — which, with a hundred busy threads in the process, means waiting
   for the GIL. Here each request borrows a single-thread executor whose thread is already running
   (`ThreadSensitiveContext(executor=...)`, asgiref 3.13) and gives it back afterwards, as a WSGI server
   reuses its threads. A request still runs in one thread of its own; Django's `request_finished` gives its
   database connection back to the pool at the end, as before.
2. **Two extra trips through the event loop per request.** Django builds an async middleware chain; ours is
   synchronous (Django's, ours, allauth's, Wagtail's), so Django ran the chain in the thread, came back to the
   loop for URL resolution (`async_to_sync`), then went to the thread again for the view, holding the request's
   database connection while it waited for the loop. Here the synchronous chain that WSGIHandler uses runs in
   one call in the request's thread, view included. Reading the body, sending the response and the signals stay
   as in ASGIHandler. Async views would still work (Django wraps them in `async_to_sync`); we have none.
3. **No bound on requests in progress.** Every request that arrived got a thread at once: under load_mixed a
   server process ran about 230 request threads, fighting for the GIL and for the locks of the database and
   Redis connection pools (py-spy), so a burst took seconds to drain. Now at most `ASGI_MAX_REQUESTS_IN_PROGRESS`
   (32) requests of a process are handled at a time; the others wait their turn in the event loop, in
   arrival order, without a thread. The database pool has 10 connections per process: more threads
   than a few times that only queue inside the process, at a higher price. A request holds its turn until its
   answer is sent: a streamed export (staff only) holds one for its whole length.
"""

import asyncio
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

# Idle request threads kept for the next requests (a process serves about as many requests at once as it has
# keep-alive connections busy; threads beyond this number are let go when their request ends).
IDLE_THREADS_KEPT = 256


class RequestThreads:
    """A free list of single-thread executors, each with its thread started."""

    def __init__(self, keep: int = IDLE_THREADS_KEPT):
        self.keep = keep
        self._idle: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()

    def take(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        # A new one: its thread starts at its first task, in the request's first synchronous call (as asgiref's
        # own executors do), so this happens once per thread, not once per request.
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="django-request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(executor)
                return
        executor.shutdown(wait=False)

    def idle(self) -> int:
        return len(self._idle)


class AgoraASGIHandler(ASGIHandler):
    def __init__(self):
        self.request_threads = RequestThreads()
        self.max_in_progress = getattr(settings, "ASGI_MAX_REQUESTS_IN_PROGRESS", 32)
        self._turns: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        super().__init__()

    def _turn(self) -> asyncio.Semaphore:
        """The bound of the running event loop (one per server process; tests run several loops)."""
        loop = asyncio.get_running_loop()
        turn = self._turns.get(loop)
        if turn is None:
            turn = self._turns[loop] = asyncio.Semaphore(self.max_in_progress)
        return turn

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        async with self._turn():  # asyncio's semaphore wakes its waiters in arrival order
            executor = self.request_threads.take()
            try:
                async with ThreadSensitiveContext(executor=executor):
                    await self.handle(scope, receive, send)
            finally:
                # handle() has awaited every task of the request; a synchronous call still running in the thread
                # (a request cancelled by a client disconnect) only delays the next request given this executor.
                self.request_threads.give_back(executor)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_asgi_application() -> AgoraASGIHandler:
    """django.core.asgi.get_asgi_application with this handler."""
    django.setup(set_prefix=False)
    return AgoraASGIHandler()
