# Shared by the benchmark scripts (sourced, not run). Needs $PY and $WORK set by the caller (and a
# PIDS array, stopped on exit, for start_nginx and start_acng).

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

# The throwaway signing key of a benchmark's upstream: made once in DIR (ed25519, kept between
# runs) and exported as GNUPGHOME for write_release; its public key is written to KEYRING for
# reprox. gpg's messages go to $WORK/logs/gpg.log; the caller stops the agent on exit.
signing_key() { # dir, keyring
  export GNUPGHOME=$1
  if [[ ! -f $GNUPGHOME/key-made ]]; then
    rm -rf "$GNUPGHOME" && mkdir -m 700 "$GNUPGHOME"
    gpg --batch --quiet --passphrase '' --quick-gen-key 'reprox bench <bench@reprox.invalid>' ed25519 sign never \
      2>>"$WORK/logs/gpg.log" && touch "$GNUPGHOME/key-made"
  fi
  gpg --batch --quiet --export >"$2" 2>>"$WORK/logs/gpg.log"
}

# Writes DIST_DIR/Release for apt suite SUITE (architecture amd64, component main) with a SHA256
# line for each FILE (a path below DIST_DIR, as apt names it) and clearsigns it as
# DIST_DIR/InRelease with the key in $GNUPGHOME (signing_key). Date: now, or $RELEASE_DATE (a
# fixed recording time T must not be before it).
write_release() { # dist dir, suite, files…
  local dist=$1 suite=$2 p
  shift 2
  {
    echo "Origin: reprox-bench"
    echo "Label: reprox-bench"
    echo "Suite: $suite"
    echo "Codename: $suite"
    echo "Date: ${RELEASE_DATE:-$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S UTC')}"
    echo "Architectures: amd64"
    echo "Components: main"
    echo "Acquire-By-Hash: no"
    echo "SHA256:"
    for p in "$@"; do
      printf ' %s %16d %s\n' "$(sha256sum "$dist/$p" | cut -d' ' -f1)" "$(stat -c %s "$dist/$p")" "$p"
    done
  } >"$dist/Release"
  gpg --batch --yes --quiet --clearsign -o "$dist/InRelease" "$dist/Release" 2>>"$WORK/logs/gpg.log"
}

# The local upstream: nginx serving ROOT on 127.0.0.1:PORT, every request logged to
# $WORK/logs/upstream-access.log; SERVER_EXTRA goes into that server block (e.g. limit_rate 100m,
# throttled like a good mirror), HTTP_EXTRA into the http block (e.g. another server). Config and
# temp files in CONF_DIR. Sets NGINX_PID, adds it to the caller's PIDS and waits for an answer.
start_nginx() { # conf dir, port, root, [server extra, [http extra]]
  local dir=$1 port=$2 root=$3
  cat >"$dir/nginx.conf" <<EOF
user root;
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $WORK/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $dir/ngx-body;
  proxy_temp_path $dir/ngx-proxy;
  fastcgi_temp_path $dir/ngx-fcgi;
  uwsgi_temp_path $dir/ngx-uwsgi;
  scgi_temp_path $dir/ngx-scgi;
  server {
    listen 127.0.0.1:$port;
    root $root;
    access_log $WORK/logs/upstream-access.log;
    ${4:-}
  }
  ${5:-}
}
EOF
  nginx -t -q -c "$dir/nginx.conf" -p "$dir" 2>>"$WORK/logs/nginx-error.log" || die "nginx config (see $WORK/logs)"
  nginx -c "$dir/nginx.conf" -p "$dir" >>"$WORK/logs/nginx.out" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_http "http://127.0.0.1:$port/" nginx "$NGINX_PID"
}

# apt-cacher-ng on 127.0.0.1:PORT with an empty cache in $WORK/acng, allowed to reach the upstream
# on UP_PORT. URLs name the upstream host (http://acng/<host:port>/<path>); AllowUserPorts lets it
# reach a port other than 80. (The Remap-debrep form /debian/… answered "503 Host not found" here.)
# Sets AC_PID, adds it to the caller's PIDS and waits for its report page.
start_acng() { # port, upstream port
  mkdir -p "$WORK"/acng/{conf,cache,log,run}
  echo "http://127.0.0.1:$2/debian/" >"$WORK/acng/conf/backends_debian"
  cat >"$WORK/acng/conf/acng.conf" <<EOF
CacheDir: $WORK/acng/cache
LogDir: $WORK/acng/log
Remap-debrep: file:backends_debian /debian
ReportPage: acng-report.html
ExThreshold: 4
EOF
  apt-cacher-ng -c "$WORK/acng/conf" ForeGround=1 Port="$1" BindAddress=127.0.0.1 AllowUserPorts="80 $2" \
    CacheDir="$WORK/acng/cache" LogDir="$WORK/acng/log" SocketPath="$WORK/acng/run/socket" \
    PidFile="$WORK/acng/run/pid" >"$WORK/logs/acng.out" 2>&1 &
  AC_PID=$!
  PIDS+=("$AC_PID")
  wait_http "http://127.0.0.1:$1/acng-report.html" apt-cacher-ng "$AC_PID"
}
