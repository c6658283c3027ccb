"""Pieces the benchmark scripts share."""
import random
import socket


def free_port_pair() -> int:
    """A port p on 127.0.0.1 with p+1 free too (a local broker's controller takes p+1)."""
    rng = random.Random()
    for _ in range(200):
        p = rng.randrange(20000, 60000)
        socks = []
        try:
            for port in (p, p + 1):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return p
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("found no two consecutive free ports on 127.0.0.1")
