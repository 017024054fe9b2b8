# shellcheck shell=bash
# Helpers shared by scripts/up and scripts/test. Source it; it defines
# functions only (no side effects besides a few variables).
#
#   ensure_packages PKG...     apt-get install the Debian packages that are missing
#   pg_start DIR PORT [test]   create (if absent) and start a private PostgreSQL 15
#                              cluster in DIR; exports DATABASE_URL
#   pg_stop DIR                stop it (fast mode)
#   free_port                  print a free TCP port on 127.0.0.1
#   port_in_use PORT           true if something listens on 127.0.0.1:PORT
#   proc_id PID                "PID:STARTTIME" of a live (non-zombie) process

# The packages scripts/up and scripts/test need on a fresh Debian 12.
# shellcheck disable=SC2034  # used by the scripts that source this file
BASE_PACKAGES=(libzmq3-dev pkg-config protobuf-compiler libprotobuf-dev postgresql wrk)

# Debian's PostgreSQL 15 binaries. Named explicitly: /usr/local/bin may hold
# initdb/pg_ctl wrappers that behave differently.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

info() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- packages

_apt_updated=0

_pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# ensure_packages PKG...: installs only what is missing; `apt-get update`
# runs at most once per script, and only when something is missing.
ensure_packages() {
  local p missing=()
  for p in "$@"; do
    _pkg_installed "$p" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing Debian packages (${missing[*]}) and not root; install them: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  info "installing Debian packages: ${missing[*]}"
  local log
  log=$(mktemp)
  export DEBIAN_FRONTEND=noninteractive
  if [ "$_apt_updated" -eq 0 ]; then
    if ! "${sudo[@]}" apt-get update -qq >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"; die "apt-get update failed"
    fi
    _apt_updated=1
  fi
  if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >"$log" 2>&1; then
    tail -n 40 "$log" >&2; rm -f "$log"; die "apt-get install ${missing[*]} failed"
  fi
  rm -f "$log"
}

# ---------------------------------------------------------------- ports

# free_port: a TCP port that was free on 127.0.0.1 a moment ago.
free_port() {
  local py port i
  py=$(command -v python3 || true)
  if [ -n "$py" ]; then
    "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  for i in $(seq 1 100); do   # no python3: try random high ports
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  die "free_port: no free port found"
}

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---------------------------------------------------------------- processes

# proc_id PID: prints PID:STARTTIME (start time from /proc/PID/stat) if PID
# is a live, non-zombie process; fails otherwise. Stored in pid files, it
# tells "still the same process" apart from "pid reused by another one".
proc_id() {
  local pid=$1 stat
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }                     # fields from 3 (state) on
  # shellcheck disable=SC2086
  set -- $stat
  case "$1" in Z | X) return 1 ;; esac
  printf '%s:%s\n' "$pid" "${20}"
}

# ---------------------------------------------------------------- PostgreSQL

# Layout of a cluster folder DIR:
#   DIR/data       PGDATA
#   DIR/run        unix socket folder
#   DIR/log        server log (postgres.log)
#   DIR/owner.pid  PID:STARTTIME of the script that started it (tells a
#                  cluster in use from one left by a killed run)

# Run a PostgreSQL tool as the cluster's owner. initdb and pg_ctl refuse to
# run as root, so as root they run as `postgres`, from a folder it can read.
_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Pids of postgres processes whose working folder is PGDATA: the postmaster
# and its backends (postgres chdirs into its data folder).
_pg_procs_in() {
  local data=$1 p
  for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/cwd" 2>/dev/null)" = "$data" ] &&
      [ "$(cat "$p/comm" 2>/dev/null)" = postgres ]; then
      printf '%s\n' "${p#/proc/}"
    fi
  done
  return 0
}

# Pid of the live postmaster of PGDATA, or nothing. A pid file whose pid is
# dead, or reused by an unrelated process (common in containers), is stale.
_pg_live_postmaster() {
  local data=$1 pid
  [ -f "$data/postmaster.pid" ] || return 0
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  case "$pid" in '' | *[!0-9]*) return 0 ;; esac
  if proc_id "$pid" >/dev/null && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$data" ]; then
    printf '%s\n' "$pid"
  fi
}

# Stop whatever runs in PGDATA: fast shutdown, then immediate, then SIGKILL
# of leftovers; finally remove stale lock files.
_pg_force_stop() {
  local dir=$1 data=$1/data pid
  if [ -n "$(_pg_live_postmaster "$data")" ]; then
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
      _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  fi
  for pid in $(_pg_procs_in "$data"); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  # Orphaned backends of a SIGKILLed postmaster keep its shared memory; give
  # them a moment to disappear after the SIGKILL above.
  local i
  for i in $(seq 1 50); do
    [ -z "$(_pg_procs_in "$data")" ] && break
    sleep 0.1
  done
  rm -f "$data/postmaster.pid" "$dir"/run/.s.PGSQL.* 2>/dev/null || true
}

# pg_start DIR PORT [test]
# Creates (if absent) and starts a private cluster in DIR, listening on
# 127.0.0.1:PORT only. Exports DATABASE_URL=postgres://mlops@127.0.0.1:PORT/mlops
# (superuser `mlops`, database `mlops`) and sets PG_URL to the same value.
# In test mode durability is off (fsync etc.) and max_connections is 300.
pg_start() {
  local dir=${1:?pg_start DIR PORT [test]} port=${2:?pg_start DIR PORT [test]} mode=${3:-dev}
  case "$port" in '' | *[!0-9]*) die "pg_start: bad port '$port'" ;; esac
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 not found in $PG_BIN (apt-get install postgresql)"

  mkdir -p "$dir"
  dir=$(realpath "$dir")
  local data=$dir/data owner=$dir/owner.pid

  # A cluster left by an earlier run: refuse if its starter still lives,
  # otherwise (killed run) stop it and clean up stale lock files.
  if [ -n "$(_pg_live_postmaster "$data")" ] || [ -n "$(_pg_procs_in "$data")" ]; then
    local oid=''
    [ -f "$owner" ] && oid=$(cat "$owner" 2>/dev/null || true)
    if [ -n "$oid" ] && [ "$oid" != "$(proc_id $$)" ] && [ "$oid" = "$(proc_id "${oid%%:*}" || true)" ]; then
      die "the PostgreSQL cluster in $dir is in use by process ${oid%%:*}; stop that first, or use another folder/PG_PORT, or set DATABASE_URL"
    fi
    info "stopping a PostgreSQL left running in $dir by an earlier run"
  fi
  _pg_force_stop "$dir"

  if port_in_use "$port"; then
    die "port $port on 127.0.0.1 is already in use; choose another (PG_PORT=...) or set DATABASE_URL"
  fi

  mkdir -p "$dir/run" "$dir/log"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$dir"
    runuser -u postgres -- test -w "$dir" -a -x "$dir" 2>/dev/null ||
      die "user postgres cannot reach $dir (a parent folder is not searchable); put the cluster elsewhere"
  fi

  if [ ! -f "$data/PG_VERSION" ]; then
    local locale=C
    locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=C.UTF-8
    # Private dev/test cluster bound to 127.0.0.1 only: trust auth, no passwords.
    if ! _pg_as_owner "$PG_BIN/initdb" -D "$data" -U mlops --auth=trust -E UTF8 \
      --locale="$locale" --no-instructions >"$dir/log/initdb.log" 2>&1; then
      cat "$dir/log/initdb.log" >&2
      die "initdb failed in $data"
    fi
    # THIS IS A PRIVATE DEV/TEST CLUSTER: it trusts every local connection.
    # It listens on 127.0.0.1 only and must never be exposed to a network.
    cat >"$data/pg_hba.conf" <<'EOF'
# Private dev/test cluster (scripts/lib/common.sh): trust auth on loopback only.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
EOF
    printf "\ninclude_if_exists = 'mlops.conf'\n" >>"$data/postgresql.conf"
  fi

  # Settings rewritten on every start, so PORT and mode may change between runs.
  {
    echo "# written by scripts/lib/common.sh pg_start ($mode mode)"
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$dir/run'"
    if [ "$mode" = test ]; then
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
      echo "max_connections = 300"
    else
      echo "max_connections = 200"
    fi
  } >"$data/mlops.conf"
  proc_id $$ >"$owner"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"

  if ! _pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/log/postgres.log" -w -t 30 start >/dev/null 2>&1; then
    tail -n 30 "$dir/log/postgres.log" >&2 2>/dev/null || true
    _pg_force_stop "$dir"
    die "PostgreSQL failed to start in $dir (log: $dir/log/postgres.log)"
  fi
  local i
  for i in $(seq 1 100); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    if [ "$i" -eq 100 ]; then
      _pg_force_stop "$dir"
      die "PostgreSQL in $dir not ready on port $port (log: $dir/log/postgres.log)"
    fi
    sleep 0.1
  done

  local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U mlops)
  if [ "$("${psql[@]}" -d postgres -tAc "select 1 from pg_database where datname = 'mlops'")" != 1 ]; then
    if ! "${psql[@]}" -d postgres -c 'create database mlops' >/dev/null; then
      _pg_force_stop "$dir"
      die "cannot create database mlops in $dir"
    fi
  fi

  PG_URL="postgres://mlops@127.0.0.1:$port/mlops"
  export DATABASE_URL=$PG_URL
  echo "DATABASE_URL=$DATABASE_URL" >&2
}

# pg_stop DIR: stops the cluster in DIR (fast mode); quiet if not running.
pg_stop() {
  local dir=${1:?pg_stop DIR}
  [ -d "$dir" ] || return 0
  dir=$(realpath "$dir")
  _pg_force_stop "$dir"
  rm -f "$dir/owner.pid"
}
