# Shared by the benchmark scripts (sourced, not run). Needs $PY and $WORK set by the caller.

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# Prints N free loopback ports below 32768: apt-cacher-ng 3.7.4 fails to bind any port above
# 32767 ("Error resolving address for binding: Success"), and the kernel's ephemeral range starts there.
free_ports() {
  "$PY" - "$1" <<'EOF'
import random, socket, sys
socks = []
while len(socks) < int(sys.argv[1]):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", random.randint(20000, 32767))); socks.append(s)
    except OSError:
        s.close()
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

wait_http() { # url, what, pid: waits up to 60 s for any HTTP answer while pid lives
  for _ in $(seq 600); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    kill -0 "$3" 2>/dev/null || die "$2 exited (see $WORK/logs)"
    sleep 0.1
  done
  die "$2 did not answer on $1"
}
