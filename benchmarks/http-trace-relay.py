# A timing relay for HTTP/1.1 between a client and a cache (issue 14: where apt waits): listens on
# LISTEN_PORT, forwards every connection to 127.0.0.1:TARGET_PORT, and writes one line per event
# to OUT: "<conn> open|req|resp|upstream-eof|close ...". A resp line holds the time its request
# passed, its first byte (status line) and last byte (by Content-Length), the status, the
# Connection header and the request line, so pipelined answers can be compared gap by gap.
# Diagnostic only (Python adds its own latency); point apt at it with http_proxy.
#
#   python3 benchmarks/http-trace-relay.py LISTEN_PORT TARGET_PORT OUT.tsv
import asyncio, sys, time
LP, TP, OUT = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = open(OUT, "w", buffering=1)
cid = 0
async def handle(cr, cw):
    global cid
    cid += 1; me = cid
    t_open = time.time()
    ur, uw = await asyncio.open_connection("127.0.0.1", TP)
    reqs = []  # (url, t)
    out.write(f"{me}\topen\t{t_open:.6f}\n")
    async def c2u():
        buf = b""
        while True:
            d = await cr.read(65536)
            if not d:
                break
            now = time.time()
            buf += d
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                line = head.split(b"\r\n", 1)[0].decode(errors="replace")
                reqs.append((line, now))
                out.write(f"{me}\treq\t{now:.6f}\t{line}\n")
            uw.write(d)
            await uw.drain()
        uw.close()
    async def u2c():
        buf = b""; left = None; idx = 0; first = None; status = None
        while True:
            d = await ur.read(262144)
            now = time.time()
            if not d:
                out.write(f"{me}\tupstream-eof\t{now:.6f}\n")
                break
            cw.write(d)
            await cw.drain()
            p = 0
            while p < len(d):
                if left is None:
                    buf += d[p:]; p = len(d)
                    if b"\r\n\r\n" in buf:
                        head, rest = buf.split(b"\r\n\r\n", 1)
                        lines = head.decode(errors="replace").split("\r\n")
                        status = lines[0]
                        hdr = {l.split(":",1)[0].lower(): l.split(":",1)[1].strip() for l in lines[1:] if ":" in l}
                        left = int(hdr.get("content-length", "0"))
                        first = now
                        conn = hdr.get("connection", "-")
                        buf = b""
                        d = rest; p = 0
                        if left == 0:
                            pass
                    else:
                        break
                if left is not None:
                    take = min(left, len(d) - p)
                    left -= take; p += take
                    if left == 0:
                        url, treq = reqs[idx] if idx < len(reqs) else ("?", 0)
                        out.write(f"{me}\tresp\t{treq:.6f}\t{first:.6f}\t{now:.6f}\t{status}\t{conn}\t{url}\n")
                        idx += 1; left = None
        cw.close()
    await asyncio.gather(c2u(), u2c(), return_exceptions=True)
    out.write(f"{me}\tclose\t{time.time():.6f}\n")
async def main():
    s = await asyncio.start_server(handle, "127.0.0.1", LP)
    async with s:
        await s.serve_forever()
asyncio.run(main())
