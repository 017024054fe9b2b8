# Sourced by scripts/test: starts the real stack (bus, registry, dataset, trainer, gateway) on the
# test cluster and runs schemathesis over every operation of /openapi.json with
# a valid admin token. Fails on any 5xx or any response that does not match
# the document; before it, scripts/lib/control_fuzz.py puts NUL and other
# control characters into every parameter and body string (0 5xx). evaluate and deploy are left out: they answer 501 by design
# until the evaluator and serving work land (their 501 is covered by GatewayTests).
# Needs: $MLOPS_BIN_DIR, $TEST_DATABASE_URL's cluster, the helpers of common.sh.

api_fuzz() {
  local workdir=$1 venv=$PWD/.build-bench/pyenv
  if ! "$venv/bin/st" --version >/dev/null 2>&1; then
    info "installing schemathesis into .build-bench/pyenv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q schemathesis >"$workdir/pip.log" 2>&1 || { tail -n 20 "$workdir/pip.log" >&2; die "pip install schemathesis"; }
  fi
  local db="fuzz_$$" base_url=${TEST_DATABASE_URL%/*}
  psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE $db" >/dev/null
  local url="$base_url/$db" prouter pxsub pxpub phttp password secret
  prouter=$(free_port); pxsub=$(free_port); pxpub=$(free_port); phttp=$(free_port)
  password="fuzz-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  secret=$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mkdir -p "$workdir/data"
  local common=(DATABASE_URL="$url" BUS_ENDPOINT="tcp://127.0.0.1:$prouter" BUS_PUB_ENDPOINT="tcp://127.0.0.1:$pxsub"
    BUS_SUB_ENDPOINT="tcp://127.0.0.1:$pxpub" DATA_ROOT="$workdir/data" LOG_FORMAT=text LOG_LEVEL=warning)
  FUZZ_PIDS=()
  env BUS_ROUTER_BIND="tcp://127.0.0.1:$prouter" BUS_XSUB_BIND="tcp://127.0.0.1:$pxsub" BUS_XPUB_BIND="tcp://127.0.0.1:$pxpub" \
    METRICS_PORT="$(free_port)" LOG_FORMAT=text LOG_LEVEL=warning "$MLOPS_BIN_DIR/bus" >"$workdir/bus.log" 2>&1 &
  FUZZ_PIDS+=($!)
  env "${common[@]}" METRICS_PORT="$(free_port)" "$MLOPS_BIN_DIR/registry" >"$workdir/registry.log" 2>&1 &
  FUZZ_PIDS+=($!)
  env "${common[@]}" METRICS_PORT="$(free_port)" DATASET_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    ML_PYTHON="$PWD/.data/ml-venv/bin/python" "$MLOPS_BIN_DIR/dataset" >"$workdir/dataset.log" 2>&1 &
  FUZZ_PIDS+=($!)
  env "${common[@]}" METRICS_PORT="$(free_port)" TRAINER_DEVICES=cpu:1 ML_PYTHON="$PWD/.data/ml-venv/bin/python" \
    "$MLOPS_BIN_DIR/trainer" >"$workdir/trainer.log" 2>&1 &
  FUZZ_PIDS+=($!)
  env "${common[@]}" HTTP_PORT="$phttp" JWT_SECRET="$secret" ADMIN_USERNAME=admin ADMIN_PASSWORD="$password" \
    RATE_LIMIT_PER_MINUTE=100000 "$MLOPS_BIN_DIR/gateway" >"$workdir/gateway.log" 2>&1 &
  FUZZ_PIDS+=($!)
  local deadline=$((SECONDS + 90))
  until curl -fsS -o /dev/null "http://127.0.0.1:$phttp/readyz" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$workdir"/*.log >&2
      die "api fuzz: the stack did not become ready"
    fi
    sleep 0.5
  done
  local token
  token=$(curl -fsS -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" "http://127.0.0.1:$phttp/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || die "api fuzz: login failed"
  local rc=0
  # First, while the admin token is sure to be good: schemathesis may disable or demote its user.
  info "control-character fuzz over /openapi.json"
  python3 scripts/lib/control_fuzz.py "http://127.0.0.1:$phttp" "$token" "${CONTROL_FUZZ_ROUNDS:-3}" >"$workdir/control_fuzz.log" 2>&1 || rc=$?
  tail -n 12 "$workdir/control_fuzz.log" >&2
  info "schemathesis over /openapi.json"
  "$venv/bin/st" run "http://127.0.0.1:$phttp/openapi.json" \
    -H "Authorization: Bearer $token" \
    --exclude-path-regex '/(evaluate|deploy)$' \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${FUZZ_EXAMPLES:-25}" --request-timeout 20 --generation-deterministic \
    --report junit --report-dir "$workdir/report" >"$workdir/schemathesis.log" 2>&1 || rc=$?
  kill -TERM "${FUZZ_PIDS[@]}" 2>/dev/null || true
  wait "${FUZZ_PIDS[@]}" 2>/dev/null || true
  psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  tail -n 25 "$workdir/schemathesis.log" >&2
  if [ "$rc" != 0 ]; then
    grep -E "ERROR|panic|critical" "$workdir/gateway.log" "$workdir/registry.log" "$workdir/dataset.log" "$workdir/trainer.log" | tail -n 20 >&2 || true
    die "api fuzz: schemathesis found problems (log: $workdir/schemathesis.log)"
  fi
}
