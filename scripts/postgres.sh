# A throwaway PostgreSQL cluster for the tests (sourced, not run; needs lib.sh): Debian's
# postgresql package (scripts/setup.sh installs it), never the system cluster.
#   pg_start DIR   initdb a fresh cluster in DIR, start it on DIR's unix socket and 127.0.0.1 on a
#                  free port, export ADDIN_TEST_POSTGRES_URL (superuser `addin`, trust auth).
#   pg_stop DIR    stop it and remove DIR; safe to call twice, or after pg_start failed.
# Both return non-zero rather than exit, so scripts/test.sh can record a failure and carry on.
# PostgreSQL refuses to run as root: as root, the cluster runs as the package's `postgres` user.
# fsync and synchronous_commit stay on: the tests include crash-safety checks.

declare -F say >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Prints the bin directory of the newest PostgreSQL major version installed.
_pg_bindir() {
  local d
  d="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if [[ ! -x "$d/pg_ctl" ]]; then
    say "postgres: no PostgreSQL in /usr/lib/postgresql: run scripts/setup.sh"
    return 1
  fi
  printf '%s\n' "$d"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
_pg_as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Prints a TCP port in 20000-29999 (below Linux's ephemeral range) that nothing listens on.
_pg_free_port() {
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + RANDOM % 10000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  say "postgres: found no free TCP port on 127.0.0.1"
  return 1
}

pg_start() {
  local dir="${1:?pg_start DIR}"
  local bin; bin="$(_pg_bindir)" || return 1
  mkdir -p "$dir" || return 1
  dir="$(cd "$dir" && pwd)" || return 1
  if [[ -e "$dir/data" ]]; then
    say "postgres: $dir already holds a cluster: pg_stop it first"
    return 1
  fi
  # Unix socket paths are limited to 107 bytes.
  if (( ${#dir} > 80 )); then
    say "postgres: $dir is too long a path for the cluster's unix socket: set a shorter TMPDIR"
    return 1
  fi
  if [[ "$(id -u)" == 0 ]]; then
    if ! getent passwd postgres >/dev/null; then
      say "postgres: running as root needs the postgres user of Debian's postgresql package"
      return 1
    fi
    chown postgres: "$dir" || return 1
    if ! runuser -u postgres -- test -w "$dir"; then
      say "postgres: the postgres user cannot reach $dir: set TMPDIR to a directory it can reach"
      return 1
    fi
  fi
  chmod 0755 "$dir" || return 1

  # The bootstrap superuser is `addin`; trust auth on the socket and on 127.0.0.1.
  quietly _pg_as_owner "$bin/initdb" --pgdata="$dir/data" --username=addin --auth=trust \
    --encoding=UTF8 --locale=C --no-sync --no-instructions || return 1
  cat >>"$dir/data/postgresql.conf" <<EOF || return 1

# scripts/postgres.sh: a throwaway cluster for the tests.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 200
fsync = on
synchronous_commit = on
EOF

  # A port found free may be taken before the server binds it: try a few.
  local port attempt
  for attempt in 1 2 3; do
    port="$(_pg_free_port)" || return 1
    if quietly _pg_as_owner "$bin/pg_ctl" start --pgdata="$dir/data" --wait --timeout=60 \
      --log="$dir/server.log" --options="-p $port"; then
      break
    fi
    if [[ $attempt == 3 ]]; then
      say "postgres: the server did not start; its log:"
      cat "$dir/server.log" >&2 2>/dev/null || true
      return 1
    fi
    say "postgres: the server did not start on port $port; trying another"
  done

  local i
  for ((i = 0; i < 50; i++)); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U addin -d postgres && break
    sleep 0.1
  done
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U addin -d postgres; then
    say "postgres: the server started but accepts no connections on 127.0.0.1:$port"
    return 1
  fi
  export ADDIN_TEST_POSTGRES_URL="postgres://addin@127.0.0.1:$port/postgres"
  say "postgres: PostgreSQL $("$bin/postgres" -V | awk '{print $3}') in $dir (its socket there, and 127.0.0.1:$port): $ADDIN_TEST_POSTGRES_URL"
}

pg_stop() {
  local dir="${1:?pg_stop DIR}"
  [[ -d "$dir" ]] || return 0
  dir="$(cd "$dir" && pwd)" || return 1
  local bin pid
  if [[ -f "$dir/data/postmaster.pid" ]] && bin="$(_pg_bindir)"; then
    pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
    quietly _pg_as_owner "$bin/pg_ctl" stop --pgdata="$dir/data" --mode=immediate --wait \
      --timeout=30 || true
    # A server pg_ctl could not stop must not outlive its directory (checking the pid is still
    # this cluster's postmaster, not a recycled one).
    if [[ "$pid" =~ ^[0-9]+$ ]] \
      && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/data"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
}
