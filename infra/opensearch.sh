#!/usr/bin/env bash
# Run a real, local, single-node OpenSearch without Docker.
#
#   infra/opensearch.sh fetch                   download + unpack the distribution into the cache
#   infra/opensearch.sh start [--state-dir D]   start (or reuse) the node; prints its URL last.
#                                               A stopped or crashed node comes back with its
#                                               data, on its port.
#   infra/opensearch.sh stop  [--state-dir D]   stop it by pid; its data and port are kept
#   infra/opensearch.sh destroy [--state-dir D] stop it and delete its data and state
#   infra/opensearch.sh status [--state-dir D]  print URL + cluster health; exit 1 if not running
#   infra/opensearch.sh url   [--state-dir D]   print the URL; exit 1 if none
#
# Environment (all optional):
#   OPENSEARCH_URL           use this cluster instead of starting one (start/status/url)
#   OPENSEARCH_VERSION       distribution version (default below)
#   OPENSEARCH_PORT          HTTP port (default: a free port)
#   OPENSEARCH_START_TIMEOUT seconds to wait for health yellow (default 120)
#   OPENSEARCH_JAVA_HOME     JDK to run with (default: Java 17 from /usr/lib/jvm, else `java`)
#   OPENSEARCH_JAVA_OPTS     JVM options (default: -Xms512m -Xmx512m)
#   OPENSEARCH_RUN_USER      unprivileged user used when run as root (default newsfacet-os)
#   NEWSFACET_CACHE_DIR      cache for the distribution (default <repo>/.cache/opensearch)
#   NEWSFACET_STATE_DIR      state dir (default <repo>/.run); --state-dir wins
#
# Messages go to stderr; stdout gets only the URL (start, url) or URL + health JSON
# (status). The integ-test distribution ships only transport-netty4; `fetch` runs
# infra/opensearch-modules.sh, when present, to add modules to the cache. See infra/README.md.
set -euo pipefail

OPENSEARCH_VERSION="${OPENSEARCH_VERSION:-2.19.6}"
MAVEN_GAV="org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip"
MAVEN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
CACHE_DIR="${NEWSFACET_CACHE_DIR:-$REPO_ROOT/.cache/opensearch}"
STATE_DIR="${NEWSFACET_STATE_DIR:-$REPO_ROOT/.run}"
RUN_USER="${OPENSEARCH_RUN_USER:-newsfacet-os}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-120}"
STOP_TIMEOUT=30

# A reader that went away (a demo whose output pipe closed) must not stop a start or stop
# half way: SIGPIPE is ignored and a message that cannot be written is dropped.
trap '' PIPE
log() { printf 'opensearch.sh: %s\n' "$*" >&2 2>/dev/null || true; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- helpers

# http_get URL [MAX_SECONDS]: print the body, fail on connection error or HTTP >= 400.
http_get() {
  local url="$1" max="${2:-10}"
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time "$max" "$url"
  else
    python3 - "$url" "$max" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])) as r:
    sys.stdout.write(r.read().decode())
PY
  fi
}

# http_put_json URL JSON: PUT a JSON body, print the response, fail on HTTP >= 400.
http_put_json() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 10 -X PUT -H 'Content-Type: application/json' -d "$2" "$1"
  else
    python3 - "$1" "$2" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="PUT",
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as r:
    sys.stdout.write(r.read().decode())
PY
  fi
}

# json_field FIELD: read a JSON object on stdin, print one top-level field ("" if
# the input is not such an object).
json_field() {
  python3 -c '
import json, sys
try:
    print(json.load(sys.stdin).get(sys.argv[1], ""))
except Exception:
    print("")' "$1"
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

dist_dir() { printf '%s/opensearch-%s\n' "$CACHE_DIR" "$OPENSEARCH_VERSION"; }

# alive PID: the process exists and is not a zombie (an orphan that init has not
# reaped yet still answers kill -0).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# pid_is_ours PID HOME: PID is alive and is the OpenSearch JVM that uses HOME.
pid_is_ours() {
  local pid="$1" home="$2" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0  # no procfs: trust kill -0
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  # The temp folder is unique: the JVM (and, while starting, its launcher) names it.
  [[ "$cmdline" == *"$home"* ]]
}

read_state() {  # read_state NAME -> content of $STATE_DIR/opensearch.NAME or ""
  local f="$STATE_DIR/opensearch.$1"
  if [[ -f "$f" ]]; then cat "$f"; fi
}

# recorded_live: 0 if the state dir records a live instance (sets PID, URL, HOME_DIR).
recorded_live() {
  PID="$(read_state pid)"; URL="$(read_state url)"; HOME_DIR="$(read_state home)"
  [[ -n "$PID" && -n "$URL" && -n "$HOME_DIR" ]] && pid_is_ours "$PID" "$HOME_DIR"
}

lock_state() {  # serialise start/stop on one state dir
  mkdir -p "$STATE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$STATE_DIR/.opensearch.lock"
    # Bounded wait: never hang forever on a lock (e.g. one held by a stuck process).
    flock -w $((START_TIMEOUT + 60)) 8 || log "warning: $STATE_DIR is locked by another process; going on anyway"
  fi
}

is_root() { [[ "$(id -u)" == 0 ]]; }

# as_user CMD...: run CMD as the unprivileged user (or as ourselves when not root).
as_user() {
  if is_root; then
    setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups -- "$@"
  else
    "$@"
  fi
}

ensure_run_user() {
  is_root || return 0
  local i
  for ((i = 0; i < 10; i++)); do
    id -u "$RUN_USER" >/dev/null 2>&1 && break
    log "creating system user $RUN_USER"
    # May fail when a parallel start creates it at the same time: check again.
    useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin --user-group "$RUN_USER" 2>/dev/null || sleep 0.5
  done
  id -u "$RUN_USER" >/dev/null 2>&1 || die "could not create user $RUN_USER"
  command -v setpriv >/dev/null 2>&1 || die "setpriv (util-linux) is required to drop root"
}

# Print the JDK home to use: Java 11..21 (what OpenSearch 2.19 supports).
find_java_home() {
  local candidates=() c java_bin ver
  [[ -n "${OPENSEARCH_JAVA_HOME:-}" ]] && candidates+=("$OPENSEARCH_JAVA_HOME")
  for c in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-21-openjdk-* /usr/lib/jvm/java-11-openjdk-*; do
    [[ -x "$c/bin/java" ]] && candidates+=("$c")
  done
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if java_bin="$(command -v java 2>/dev/null)"; then
    java_bin="$(readlink -f "$java_bin")"
    candidates+=("$(dirname "$(dirname "$java_bin")")")
  fi
  for c in "${candidates[@]}"; do
    [[ -x "$c/bin/java" ]] || continue
    ver="$("$c/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = //p')"
    ver="${ver#1.}"
    if [[ "$ver" =~ ^[0-9]+$ ]] && ((ver >= 11 && ver <= 21)); then
      printf '%s\n' "$c"
      return 0
    fi
    if [[ -n "${OPENSEARCH_JAVA_HOME:-}" && "$c" == "$OPENSEARCH_JAVA_HOME" ]]; then
      die "OPENSEARCH_JAVA_HOME=$c is Java $ver; OpenSearch $OPENSEARCH_VERSION needs 11..21"
    fi
  done
  die "no Java 11..21 found (install openjdk-17-jre-headless or set OPENSEARCH_JAVA_HOME)"
}

# ---------------------------------------------------------------- fetch

MODULES_HOOK="$SCRIPT_DIR/opensearch-modules.sh"

dist_complete() { [[ -x "$1/bin/opensearch" && -f "$1/.newsfacet-complete" ]]; }

modules_hook_id() {  # checksum of the modules hook, or "none"
  if [[ -f "$MODULES_HOOK" ]]; then cksum <"$MODULES_HOOK"; else echo none; fi
}

# Without a hook any complete cache will do; with one, it must have run on it.
modules_current() {
  [[ ! -f "$MODULES_HOOK" ]] ||
    [[ "$(cat "$1/.newsfacet-modules" 2>/dev/null || true)" == "$(modules_hook_id)" ]]
}

# The integ-test-zip ships only the transport-netty4 module. When
# infra/opensearch-modules.sh exists it adds further modules (built from Maven
# Central jars) to DIST; it is re-run when it changes.
apply_modules_hook() {
  local dist="$1" workdir="$2"
  modules_current "$dist" && return 0
  if [[ -f "$MODULES_HOOK" ]]; then
    log "adding modules with ${MODULES_HOOK#"$REPO_ROOT"/}"
    # From an empty dir, so that mvn picks up no project pom.xml.
    (cd "$workdir" && bash "$MODULES_HOOK" "$dist" "$OPENSEARCH_VERSION") >&2 ||
      die "${MODULES_HOOK##*/} failed"
    chmod -R u+rwX,go+rX,go-w "$dist/modules"
  fi
  modules_hook_id >"$dist/.newsfacet-modules"
}

cmd_fetch() {
  local dist tmp zip unpacked
  dist="$(dist_dir)"
  if dist_complete "$dist" && modules_current "$dist"; then
    log "cached: $dist"
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  chmod go+rx "$CACHE_DIR" 2>/dev/null || true
  # One fetch at a time per cache (others wait, then find the cache ready).
  if command -v flock >/dev/null 2>&1; then
    exec 7>"$CACHE_DIR/.lock"
    if flock -w 900 7; then
      # We are the only fetch: leftovers of interrupted ones can go.
      find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -type d -name '.fetch.*' -exec rm -rf {} +
    else
      log "warning: $CACHE_DIR is locked by another process; going on anyway"
    fi
  fi
  tmp="$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")"
  # shellcheck disable=SC2064  # expand now: $tmp is local
  trap "rm -rf '$tmp'" EXIT
  if dist_complete "$dist"; then
    apply_modules_hook "$dist" "$tmp"
  else
    command -v mvn >/dev/null 2>&1 || die "mvn not found (apt-get install maven)"
    log "downloading $MAVEN_GAV with mvn"
    # Run mvn from an empty dir so that no project pom.xml is picked up.
    if ! (cd "$tmp" && mvn -B -q "$MAVEN_DEPENDENCY_PLUGIN:copy" \
      -Dartifact="$MAVEN_GAV" -DoutputDirectory="$tmp/download") >"$tmp/mvn.log" 2>&1; then
      tail -n 30 "$tmp/mvn.log" >&2
      die "mvn could not fetch $MAVEN_GAV"
    fi
    zip="$tmp/download/opensearch-$OPENSEARCH_VERSION.zip"
    [[ -f "$zip" ]] || die "mvn did not produce $zip"
    log "unpacking into $CACHE_DIR"
    mkdir "$tmp/unpack"
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$zip" -d "$tmp/unpack"
    else
      python3 -m zipfile -e "$zip" "$tmp/unpack"
    fi
    unpacked="$tmp/unpack/opensearch-$OPENSEARCH_VERSION"
    [[ -d "$unpacked/bin" ]] || die "unexpected archive layout in $zip"
    # Readable by everyone (the server runs as an unprivileged user); scripts
    # executable (python's zipfile drops the mode bits).
    chmod -R u+rwX,go+rX,go-w "$unpacked"
    find "$unpacked/bin" -type f ! -name '*.bat' ! -name '*.exe' -exec chmod a+x {} +
    mkdir "$tmp/work"
    apply_modules_hook "$unpacked" "$tmp/work"
    touch "$unpacked/.newsfacet-complete"
    # Atomic publish: a half-unpacked tree never has the final name.
    rm -rf "$dist"
    mv -T "$unpacked" "$dist"
  fi
  rm -rf "$tmp"
  trap - EXIT
  exec 7>&-
  log "ready: $dist"
}

# ---------------------------------------------------------------- start

# node_is URL NAME: the server at URL is the node called NAME (not some other
# process that holds the port).
node_is() {
  local body
  body="$(http_get "$1/" 3 2>/dev/null)" || return 1
  [[ "$(printf '%s' "$body" | json_field name 2>/dev/null)" == "$2" ]]
}

port_free() {  # port_free PORT: nothing listens on 127.0.0.1:PORT
  # SO_REUSEADDR as OpenSearch binds: connections of a node just stopped, still in
  # TIME_WAIT, do not make its own port look taken when it comes back.
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

wait_healthy() {  # wait_healthy URL NODE_NAME PID_FN LOG DEADLINE
  local url="$1" node_name="$2" pid_fn="$3" log_file="$4" deadline="$5" body status pid
  while :; do
    pid="$("$pid_fn")"
    if ! alive "$pid"; then
      log "OpenSearch exited during start-up; last log lines:"
      tail -n 60 "$log_file" >&2 || true
      return 1
    fi
    if node_is "$url" "$node_name" &&
      body="$(http_get "$url/_cluster/health?wait_for_status=yellow&timeout=2s" 5 2>/dev/null)"; then
      status="$(printf '%s' "$body" | json_field status)"
      [[ "$status" == green || "$status" == yellow ]] && return 0
    fi
    if ((SECONDS >= deadline)); then
      log "OpenSearch not healthy after ${START_TIMEOUT}s; last log lines:"
      tail -n 60 "$log_file" >&2 || true
      return 1
    fi
    sleep 0.3
  done
}

wait_external() {
  local url="${OPENSEARCH_URL%/}" deadline=$((SECONDS + START_TIMEOUT)) body status
  while :; do
    if body="$(http_get "$url/_cluster/health?wait_for_status=yellow&timeout=2s" 5 2>/dev/null)"; then
      status="$(printf '%s' "$body" | json_field status)"
      [[ "$status" == green || "$status" == yellow ]] && break
    fi
    ((SECONDS < deadline)) || die "OPENSEARCH_URL=$url not healthy after ${START_TIMEOUT}s"
    sleep 1
  done
  printf '%s\n' "$url"
}

cmd_start() {
  if [[ -n "${OPENSEARCH_URL:-}" ]]; then
    log "OPENSEARCH_URL is set: using $OPENSEARCH_URL, not starting anything"
    wait_external
    return
  fi
  lock_state
  local PID URL HOME_DIR
  if recorded_live; then
    log "reusing running instance (pid $PID) from $STATE_DIR"
    wait_healthy "$URL" "$(node_name "$HOME_DIR")" read_pid_recorded "$HOME_DIR/opensearch.log" \
      $((SECONDS + START_TIMEOUT)) ||
      die "recorded instance is not healthy"
    printf '%s\n' "$URL"
    return 0
  fi
  # Not running. A node stopped (or crashed) before comes back with its folder: the
  # same name, data and HTTP port, so whatever holds its URL (a running demo) carries on.
  stop_process
  local home="" http_port="" transport_port
  if [[ -n "$HOME_DIR" && -f "$HOME_DIR/config/opensearch.yml" ]]; then
    home="$HOME_DIR"
    http_port="$(sed -n 's/^http\.port: //p' "$home/config/opensearch.yml")"
    port_free "$http_port" ||
      die "port $http_port, this node's address, is taken by another process; free it, or run '$0 destroy' to start afresh (data lost) on a new port"
    log "restarting the node in $home on port $http_port, with its data"
  elif [[ -n "$HOME_DIR" ]]; then
    log "the recorded node's folder $HOME_DIR is gone; starting a new node"
    forget_node
  fi

  cmd_fetch
  ensure_run_user
  local java_home dist
  java_home="$(find_java_home)"
  dist="$(dist_dir)"
  if [[ -z "$home" ]]; then
    http_port="${OPENSEARCH_PORT:-$(free_port)}"
    port_free "$http_port" || die "port $http_port (OPENSEARCH_PORT) is already in use"
    home="$(make_home)"
    # The unprivileged user must be able to read the distribution (it may sit under
    # a path that user cannot traverse); if not, run a private copy.
    if is_root && ! as_user test -r "$dist/lib" -a -x "$dist/bin/opensearch" 2>/dev/null; then
      log "$dist is not readable by $RUN_USER; using a private copy"
      cp -a "$dist" "$home/dist"
    fi
    write_config "$home" "$http_port" "$dist"
  else
    # The transport port only links nodes of one cluster; another process may hold it now.
    transport_port="$(sed -n 's/^transport\.port: //p' "$home/config/opensearch.yml")"
    if ! port_free "$transport_port"; then
      transport_port="$(free_port)"
      while [[ "$transport_port" == "$http_port" ]]; do transport_port="$(free_port)"; done
      sed -i "s/^transport\.port: .*/transport.port: $transport_port/" "$home/config/opensearch.yml"
    fi
  fi
  if [[ -d "$home/dist" ]]; then dist="$home/dist"; fi
  # A crash leaves the JVM's pid file behind.
  rm -f "$home/opensearch.pid"
  if is_root; then chown -R "$RUN_USER:$RUN_USER" "$home"; fi

  local url="http://127.0.0.1:$http_port"
  local log_file="$home/opensearch.log"
  log "starting OpenSearch $OPENSEARCH_VERSION on $url (home $home, java $java_home)"
  local launcher runner=()
  if is_root; then
    runner=(setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups --)
  fi
  # Fully detached: new session, no stdin, output to the log in the node's folder.
  # setsid/setpriv/env exec in turn and bin/opensearch execs the JVM, so the launcher
  # pid normally is the JVM pid; -p makes OpenSearch write the JVM pid to be sure.
  setsid "${runner[@]}" env -i \
    PATH=/usr/local/bin:/usr/bin:/bin \
    HOME="$home" LANG=C.UTF-8 \
    OPENSEARCH_JAVA_HOME="$java_home" \
    OPENSEARCH_PATH_CONF="$home/config" \
    OPENSEARCH_TMPDIR="$home/tmp" \
    OPENSEARCH_JAVA_OPTS="${OPENSEARCH_JAVA_OPTS:--Xms512m -Xmx512m}" \
    "$dist/bin/opensearch" -p "$home/opensearch.pid" \
    </dev/null >>"$log_file" 2>&1 7>&- 8>&- &
  launcher=$!
  disown "$launcher" 2>/dev/null || true

  LAUNCHER_PID="$launcher"; START_HOME="$home"
  # Record state before waiting so `stop` can clean up even if we are interrupted.
  printf '%s\n' "$launcher" >"$STATE_DIR/opensearch.pid"
  printf '%s\n' "$url" >"$STATE_DIR/opensearch.url"
  printf '%s\n' "$home" >"$STATE_DIR/opensearch.home"

  if ! wait_healthy "$url" "$(node_name "$home")" read_pid_starting "$log_file" \
    $((SECONDS + START_TIMEOUT)); then
    stop_process
    die "OpenSearch failed to start (its folder is kept: $home)"
  fi
  # One node: no replicas by default, so that new indices are green. Set through
  # the API because OpenSearch 2.19 ignores this setting in opensearch.yml.
  http_put_json "$url/_cluster/settings" '{"persistent":{"cluster.default_number_of_replicas":0}}' \
    >/dev/null || log "warning: could not set cluster.default_number_of_replicas"
  local java_pid
  java_pid="$(read_pid_starting)"
  printf '%s\n' "$java_pid" >"$STATE_DIR/opensearch.pid"
  log "healthy (pid $java_pid, ${SECONDS}s since this command started)"
  printf '%s\n' "$url"
}

# make_home: a new folder for a node, inside the state dir when the user that runs
# OpenSearch can write there (so it outlives `stop` and reboots), else under TMPDIR.
make_home() {
  local home tmp_parent
  home="$(mktemp -d "$STATE_DIR/opensearch-node.XXXXXX")"
  chmod 755 "$home"
  if is_root; then chown "$RUN_USER:$RUN_USER" "$home"; fi
  if ! as_user test -w "$home" 2>/dev/null; then
    rmdir "$home"
    tmp_parent="${TMPDIR:-/tmp}"
    if is_root && ! as_user test -x "$tmp_parent" 2>/dev/null; then tmp_parent=/tmp; fi
    home="$(mktemp -d "$tmp_parent/newsfacet-opensearch.XXXXXX")"
    chmod 755 "$home"
  fi
  mkdir -p "$home/data" "$home/logs" "$home/tmp"
  printf '%s\n' "$home"
}

# node_name HOME: the node's name, unique per folder (checked against whoever answers the port).
node_name() { basename "$1"; }

# write_config HOME HTTP_PORT DIST: opensearch.yml and jvm.options of a new node.
write_config() {
  local home="$1" http_port="$2" dist="$3" transport_port
  transport_port="$(free_port)"
  while [[ "$transport_port" == "$http_port" ]]; do transport_port="$(free_port)"; done
  if [[ -d "$home/dist" ]]; then dist="$home/dist"; fi
  # Private, writable copy of the config dir.
  cp -a "$dist/config" "$home/config"
  # jvm.options uses paths relative to the distribution (logs/gc.log, data,...):
  # point them at the node's folder so the cache stays read-only. Heap 512m (not
  # 1g), also when OPENSEARCH_JAVA_OPTS is set without heap options.
  sed -i \
    -e 's/^-Xms.*/-Xms512m/' -e 's/^-Xmx.*/-Xmx512m/' \
    -e "s#file=logs/gc.log#file=$home/logs/gc.log#" \
    -e "s#-XX:HeapDumpPath=data#-XX:HeapDumpPath=$home/data#" \
    -e "s#-XX:ErrorFile=logs/#-XX:ErrorFile=$home/logs/#" \
    "$home/config/jvm.options"
  cat >"$home/config/opensearch.yml" <<EOF
# generated by infra/opensearch.sh
cluster.name: newsfacet-dev
node.name: $(node_name "$home")
network.host: 127.0.0.1
http.port: $http_port
transport.port: $transport_port
discovery.type: single-node
path.data: $home/data
path.logs: $home/logs
bootstrap.memory_lock: false
# a dev box with a fullish disk must not turn indices read-only
cluster.routing.allocation.disk.threshold_enabled: false
EOF
}

# The JVM pid, once OpenSearch has written it; the launcher pid until then.
read_pid_starting() {
  local p
  p="$(cat "$START_HOME/opensearch.pid" 2>/dev/null || true)"
  if [[ "$p" =~ ^[0-9]+$ ]]; then printf '%s\n' "$p"; else printf '%s\n' "$LAUNCHER_PID"; fi
}
# shellcheck disable=SC2317  # called indirectly, by name, from wait_healthy
read_pid_recorded() { read_state pid; }

# ---------------------------------------------------------------- stop

# stop_process: stop the node recorded in STATE_DIR if it runs; its folder and address stay.
stop_process() {
  local pid home i
  pid="$(read_state pid)"; home="$(read_state home)"
  # While starting, the recorded pid may be the launcher; prefer the JVM's own pid file.
  if [[ -n "$home" && -f "$home/opensearch.pid" ]]; then
    local jp
    jp="$(cat "$home/opensearch.pid" 2>/dev/null || true)"
    [[ "$jp" =~ ^[0-9]+$ ]] && pid="$jp"
  fi
  if [[ -n "$pid" && -n "$home" ]] && pid_is_ours "$pid" "$home"; then
    log "stopping OpenSearch (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      log "still alive after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$STATE_DIR/opensearch.pid"
}

# forget_node: delete the recorded node's folder (its data) and every state file.
forget_node() {
  local home name
  home="$(read_state home)"
  name="$(basename "${home:-none}")"
  if [[ -n "$home" && -d "$home" ]] &&
    [[ "$name" == newsfacet-opensearch.* || "$name" == opensearch-node.* ]]; then
    rm -rf "$home"
  fi
  rm -f "$STATE_DIR/opensearch.pid" "$STATE_DIR/opensearch.url" "$STATE_DIR/opensearch.home"
}

cmd_stop() {
  if [[ -n "${OPENSEARCH_URL:-}" && ! -f "$STATE_DIR/opensearch.pid" ]]; then
    log "OPENSEARCH_URL is set and nothing was started here: nothing to stop"
    return 0
  fi
  [[ -d "$STATE_DIR" ]] || { log "not running"; return 0; }
  lock_state
  if [[ ! -f "$STATE_DIR/opensearch.pid" ]]; then
    log "not running"
    return 0
  fi
  stop_process
  log "stopped; its data stays in $(read_state home), and 'start' brings it back on $(read_state url)"
}

cmd_destroy() {
  if [[ -n "${OPENSEARCH_URL:-}" && ! -f "$STATE_DIR/opensearch.home" ]]; then
    log "OPENSEARCH_URL is set and nothing was started here: nothing to destroy"
    return 0
  fi
  [[ -d "$STATE_DIR" ]] || { log "nothing to destroy"; return 0; }
  lock_state
  stop_process
  forget_node
  log "destroyed"
}

# ---------------------------------------------------------------- status / url

cmd_url() {
  if [[ -n "${OPENSEARCH_URL:-}" ]]; then printf '%s\n' "${OPENSEARCH_URL%/}"; return 0; fi
  local PID URL HOME_DIR
  recorded_live || { log "not running"; return 1; }
  printf '%s\n' "$URL"
}

cmd_status() {
  local url body
  url="$(cmd_url)" || return 1
  body="$(http_get "$url/_cluster/health" 5)" || { log "$url does not answer"; return 1; }
  printf '%s\n' "$url"
  printf '%s\n' "$body"
}

# ---------------------------------------------------------------- main

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --state-dir) [[ $# -ge 2 ]] || usage; STATE_DIR="$2"; shift 2 ;;
      --state-dir=*) STATE_DIR="${1#*=}"; shift ;;
      -h|--help) usage ;;
      *) die "unknown argument: $1" ;;
    esac
  done
  mkdir -p "$STATE_DIR" 2>/dev/null || true
  STATE_DIR="$(cd "$STATE_DIR" 2>/dev/null && pwd || printf '%s' "$STATE_DIR")"
  case "$cmd" in
    fetch) cmd_fetch ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    destroy) cmd_destroy ;;
    status) cmd_status ;;
    url) cmd_url ;;
    -h|--help|help|"") usage ;;
    *) die "unknown command: $cmd" ;;
  esac
}

# On one line, so that bash has read it whole before running: editing this file
# while an instance of it runs cannot make that instance run other text.
main "$@"; exit
