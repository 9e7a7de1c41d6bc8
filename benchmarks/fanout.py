#!/usr/bin/env python3
"""Cold fan-out client: N connections opened first, then N GETs sent at once from one process.

Prints one line per client, the same fields the harness read from curl before:
"<ttfb_s> <total_s> <http_code> <body_bytes>", where ttfb is measured from the moment this
client's request was written to the moment the first response byte arrived. Spawning 64 curl
processes on a loaded 2-core machine costs more than the server's own answer (connects alone took
up to 290 ms there), so curl's time_starttransfer measured the client machine, not the server.

usage: fanout.py URL COUNT OUTDIR (writes OUTDIR/all.txt and OUTDIR/wall.txt)
"""
import asyncio
import os
import sys
import time
from urllib.parse import urlsplit


async def one(host, port, path, start, out):
    reader, writer = await asyncio.open_connection(host, port)
    await start.wait()
    t0 = time.monotonic()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    first = await reader.read(1)
    ttfb = time.monotonic() - t0
    head = bytearray(first)
    while b"\r\n\r\n" not in head:
        chunk = await reader.read(65536)
        if not chunk:
            break
        head += chunk
    header, _, body = bytes(head).partition(b"\r\n\r\n")
    status = header.split(b" ", 2)[1].decode() if header.startswith(b"HTTP/") else "000"
    size = len(body)
    while True:
        chunk = await reader.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
    total = time.monotonic() - t0
    writer.close()
    out.append(f"{ttfb:.6f} {total:.6f} {status} {size}")


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
