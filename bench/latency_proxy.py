"""A TCP proxy on 127.0.0.1 that adds a fixed latency to every request, for benchmarks of
request-bound work (S3 listings and GETs) against a server on loopback.

MinIO on loopback answers a small GET in well under a millisecond; Amazon S3 answers small
requests (< 512 KB) with a median latency "in the tens of milliseconds" (AWS whitepaper
"Best Practices Design Patterns: Optimizing Amazon S3 Performance", section on timeouts and
retries). A crawl's cost is mostly such requests, so a loopback figure hides what a user
waits for. The proxy holds each chunk the client sends for `delay_ms` after it arrived (order
kept, delays do not add up across the chunks of one request) and passes answers back at
once, so every request/response round trip costs `delay_ms` more. Nothing else changes:
bytes pass unmodified, so SigV4 signatures (which cover the Host header the client sent to
the proxy's address) still verify.

It also counts what passes (`bytes_down`: server to client, HTTP headers included;
`bytes_up`; `connections`), so a benchmark can measure what S3 sent outside the process it
measures (bench/query_s3_bench.py runs it with delay_ms=0 for that alone).

    proxy = LatencyProxy("127.0.0.1", 9000, delay_ms=20).start()
    ... point the client at f"http://127.0.0.1:{proxy.port}" ...
    proxy.stop()
"""
import asyncio
import threading


class LatencyProxy:
    def __init__(self, upstream_host: str, upstream_port: int, delay_ms: float):
        self.upstream = (upstream_host, upstream_port)
        self.delay = delay_ms / 1000.0
        self.port = 0
        self.requests = 0  # client chunks forwarded (about one per request for small requests)
        # Counted on the proxy's loop thread only; read them between runs (reset() clears them).
        self.bytes_down = 0  # server -> client, every byte of every response
        self.bytes_up = 0
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None

    def start(self) -> "LatencyProxy":
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self._server = fut.result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self):
        async def close():
            self._server.close()
            await self._server.wait_closed()
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def reset(self):
        """Zero the counters (call between runs, when no request is in flight)."""
        self.bytes_down = self.bytes_up = self.connections = self.requests = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _listen(self):
        return await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def _serve(self, client_r, client_w):
        try:
            up_r, up_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_w.close()
            return
        self.connections += 1
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        async def client_to_upstream():
            try:
                while True:
                    data = await client_r.read(1 << 16)
                    if not data:
                        return
                    queue.put_nowait((loop.time() + self.delay, data))
            finally:  # end of the client's side, also when it went away: tell the server
                queue.put_nowait((loop.time(), b""))

        async def delayed_sender():
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if up_w.can_write_eof():
                        up_w.write_eof()
                    return
                self.requests += 1
                self.bytes_up += len(data)
                up_w.write(data)
                await up_w.drain()

        async def upstream_to_client():
            while True:
                data = await up_r.read(1 << 16)
                if not data:
                    return
                self.bytes_down += len(data)
                client_w.write(data)
                await client_w.drain()

        tasks = [asyncio.create_task(c) for c in (client_to_upstream(), delayed_sender(), upstream_to_client())]
        try:
            # Done when the server's side ends: after the client's end was passed on (the server
            # then closes), or when the server closed on its own.
            await tasks[2]
        except Exception:
            pass
        finally:
            for t in tasks:
                t.cancel()
            for w in (client_w, up_w):
                try:
                    w.close()
                except Exception:
                    pass
