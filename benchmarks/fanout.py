#!/usr/bin/env python3
"""Cold fan-out client: N connections opened first, then N GETs sent at once from one process.

Prints one line per client, the same fields the harness read from curl before:
"<ttfb_s> <total_s> <http_code> <body_bytes> <ttfb_seen_s>", where ttfb is measured from the
moment this client's request was written to the moment the kernel received the first response
byte on its socket (SO_TIMESTAMPNS), and ttfb_seen_s to the moment this process got round to
reading it. Spawning 64 curl processes on a loaded 2-core machine costs more than the server's own
answer (connects alone took up to 290 ms there), so curl's time_starttransfer measured the client
machine, not the server. One process reading 64 bodies at once is busy too: under load it noticed
a response head up to 90 ms after reprox had written it (issue 14, timestamps on both sides), so
the kernel's receive time is the figure, and the time seen is kept beside it.

usage: fanout.py URL COUNT OUTDIR (writes OUTDIR/all.txt and OUTDIR/wall.txt)
"""
import asyncio
import os
import socket
import struct
import sys
import time
from urllib.parse import urlsplit

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; SCM_TIMESTAMPNS has the same value


def received_at(ancillary):
    """The kernel's receive time (CLOCK_REALTIME, seconds) in a recvmsg's ancillary data, or None."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack("qq", data[:16])
            return sec + nsec / 1e9
    return None


async def one(host, port, path, start, out):
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    await loop.sock_connect(sock, (host, port))
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    # everything made before the start: 64 requests must go out in one turn of the loop
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
    buf = bytearray(1 << 20)
    await start.wait()
    t0 = time.time()  # the realtime clock, the kernel's timestamps' clock
    await loop.sock_sendall(sock, request)
    head = bytearray()
    st = {"first": None, "seen": None, "body": 0, "in_head": True}
    done = loop.create_future()

    def readable():
        try:
            n, ancillary, _, _ = sock.recvmsg_into([buf], socket.CMSG_SPACE(16))
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            loop.remove_reader(sock.fileno())
            if not done.done():
                done.set_exception(e)
            return
        if n and st["first"] is None:
            st["seen"] = time.time()
            st["first"] = received_at(ancillary) or st["seen"]
        if n == 0:
            loop.remove_reader(sock.fileno())
            if not done.done():
                done.set_result(None)
            return
        if st["in_head"]:
            head.extend(buf[:n])
            if b"\r\n\r\n" in head:
                st["in_head"] = False
                st["body"] = len(head) - head.index(b"\r\n\r\n") - 4
        else:
            st["body"] += n

    loop.add_reader(sock.fileno(), readable)
    try:
        await done
    finally:
        sock.close()
    total = time.time() - t0
    header = bytes(head).partition(b"\r\n\r\n")[0]
    status = header.split(b" ", 2)[1].decode() if header.startswith(b"HTTP/") else "000"
    first = st["first"] if st["first"] is not None else time.time()
    seen = st["seen"] if st["seen"] is not None else first
    out.append(f"{first - t0:.6f} {total:.6f} {status} {st['body']} {seen - t0:.6f}")


async def main(url, count, outdir):
    u = urlsplit(url)
    path = u.path + (f"?{u.query}" if u.query else "")
    start = asyncio.Event()
    out = []
    tasks = [asyncio.create_task(one(u.hostname, u.port or 80, path, start, out)) for _ in range(count)]
    await asyncio.sleep(0.5)  # let every connection be established before the requests go out
    t0 = time.time()
    start.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    t1 = time.time()
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "wall.txt"), "w") as f:
        f.write(f"{t0} {t1}\n")  # from the requests going out to the last body's end
    with open(os.path.join(outdir, "all.txt"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
