#!/usr/bin/env python3
"""Cold path as apt walks it, on one keep-alive connection: InRelease, Packages.xz, first .deb.

usage: coldpath.py BASE_URL SUITE DEB_PATH DEB_SHA256

Prints one line: "<total_ms> <inrelease_ms> <packages_ms> <deb_ms> <deb_404s> <reconnects> <ok>", the total
from writing the InRelease request to the last byte of the .deb. A 404 for the .deb (a cache that
answers before it indexed the listing; apt would fail there) is retried every 20 ms and counted; a keep-alive connection the server closed is opened again
(as apt does) and counted.
"""
import hashlib
import http.client
import sys
import time
from urllib.parse import urlsplit

base, suite, deb, want = sys.argv[1:]
u = urlsplit(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)


reconnects = 0


def get(path):
    global conn, reconnects
    for attempt in (1, 2):
        try:
            conn.request("GET", u.path.rstrip("/") + "/" + path, headers={"User-Agent": "Debian APT-HTTP/1.3 (bench)"})
            r = conn.getresponse()
            return r.status, r.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # a server that ended the keep-alive connection: apt opens a new one and asks again
            if attempt == 2:
                raise
            reconnects += 1
            conn.close()
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)


t0 = time.monotonic()
s1, _ = get(f"dists/{suite}/InRelease")
t1 = time.monotonic()
s2, packages = get(f"dists/{suite}/main/binary-amd64/Packages.xz")
t2 = time.monotonic()
misses = 0
while True:
    s3, body = get(deb)
    if s3 != 404 or time.monotonic() - t0 > 60:
        break
    misses += 1
    time.sleep(0.02)
t3 = time.monotonic()
ok = s1 == 200 and s2 == 200 and s3 == 200 and hashlib.sha256(body).hexdigest() == want
print(f"{(t3 - t0) * 1000:.0f} {(t1 - t0) * 1000:.0f} {(t2 - t1) * 1000:.0f} {(t3 - t2) * 1000:.0f} {misses} {reconnects} "
      f"{'ok' if ok else f'FAILED:{s1}/{s2}/{s3}/{len(packages)}'}")
