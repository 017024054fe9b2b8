# shellcheck shell=bash
# The MLflow tracking server the trainer's tests run against (Tests/TrainerTests
# starts `mlflow server` from it). Source it from scripts/test, in the repo root;
# defines functions only.
#
#   ensure_mlflow   make sure $PWD/.build-bench/pyenv/bin/mlflow works: creates
#                   the venv (shared with schemathesis, see api_fuzz.sh) if it is
#                   missing and pip-installs mlflow ($MLFLOW_PIP_SPEC, default
#                   "mlflow") into it; quiet and quick when it is already there.
#                   Returns non-zero, with pip's log tail, when that fails.
#
# Needs Debian's python3-venv. Then run the tests with REQUIRE_MLFLOW=1 so a
# missing mlflow fails them instead of skipping them.

ensure_mlflow() {
  local venv=$PWD/.build-bench/pyenv
  # A broken venv (Python upgraded under it) fails this check and is rebuilt.
  if [ -x "$venv/bin/mlflow" ] &&
    "$venv/bin/python" -c 'import importlib.metadata as m; m.version("mlflow")' >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$PWD/.build-bench"
  # One installer at a time: two pips in one venv can leave it half-installed.
  local lockfd rc=0 log
  exec {lockfd}>"$PWD/.build-bench/pyenv.lock"
  flock "$lockfd"
  if [ -x "$venv/bin/mlflow" ] &&
    "$venv/bin/python" -c 'import importlib.metadata as m; m.version("mlflow")' >/dev/null 2>&1; then
    exec {lockfd}>&-
    return 0
  fi
  printf '==> %s\n' "installing mlflow into .build-bench/pyenv" >&2
  log=$(mktemp)
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c '' 2>/dev/null; then
    python3 -m venv --clear "$venv" >"$log" 2>&1 || rc=$?
  fi
  if [ "$rc" -eq 0 ]; then
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install -q --progress-bar off "${MLFLOW_PIP_SPEC:-mlflow}" >>"$log" 2>&1 || rc=$?
  fi
  exec {lockfd}>&-
  if [ "$rc" -ne 0 ] || [ ! -x "$venv/bin/mlflow" ]; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    printf 'error: ensure_mlflow: installing mlflow into %s failed (exit %s)\n' "$venv" "$rc" >&2
    return 1
  fi
  rm -f "$log"
}
