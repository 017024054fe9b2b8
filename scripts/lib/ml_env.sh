# shellcheck shell=bash
# The Python ML runtime's virtual environment (ml/, package mlops_ml).
# Source it from scripts/test and scripts/up; callers set ROOT to the repo
# root. Defines functions only.
#
#   ensure_ml_venv   create or update $ROOT/.data/ml-venv: torch (the CPU wheel
#                    from pip's find-links when there is no GPU, else PyPI's),
#                    then `pip install -e "ml[test]"`. Does nothing when the
#                    stamp (sha256 of ml/pyproject.toml + torch choice) matches.
#   ml_python        print the venv's python path
#   run_ml_tests     run ml/tests with pytest (OMP_NUM_THREADS=1)
#
# Needs Debian's python3-venv (the caller installs apt packages).

ml_venv_dir() { printf '%s\n' "${ROOT:?ROOT must be set to the repo root}/.data/ml-venv"; }
ml_python() { printf '%s\n' "$(ml_venv_dir)/bin/python"; }

_ml_log() { printf '==> %s\n' "$*" >&2; }

# _ml_cpu_torch_wheel PYTAG: the first CPU torch wheel for PYTAG (cp311…) in
# $PIP_FIND_LINKS (a space-separated list of folders; default /opt/wheels).
_ml_cpu_torch_wheel() {
  local tag=$1 dir w
  for dir in ${PIP_FIND_LINKS:-/opt/wheels}; do
    dir=${dir#file://}
    [ -d "$dir" ] || continue
    for w in "$dir"/torch-*+cpu-"$tag"-"$tag"-*linux*_"$(uname -m)".whl; do
      [ -f "$w" ] && { printf '%s\n' "$w"; return 0; }
    done
  done
  return 1
}

_ml_has_gpu() {
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1
}

ensure_ml_venv() {
  local root=${ROOT:?ROOT must be set to the repo root}
  local venv="$root/.data/ml-venv"
  local stamp="$venv/.mlops-ml-stamp"
  local base=${ML_BASE_PYTHON:-}
  if [ -z "$base" ]; then
    if [ -x /usr/bin/python3 ]; then base=/usr/bin/python3; else base=$(command -v python3 || true); fi
  fi
  [ -n "$base" ] || { printf 'error: ensure_ml_venv: no python3\n' >&2; return 1; }
  [ -f "$root/ml/pyproject.toml" ] || { printf 'error: ensure_ml_venv: %s/ml/pyproject.toml missing\n' "$root" >&2; return 1; }

  local tag torch_spec
  tag=$("$base" -c 'import sys; print("cp%d%d" % sys.version_info[:2])') || return 1
  if ! _ml_has_gpu && torch_spec=$(_ml_cpu_torch_wheel "$tag"); then
    : # the CPU wheel
  else
    torch_spec=torch
  fi
  local want
  want="$(sha256sum "$root/ml/pyproject.toml" | cut -d' ' -f1) $(basename "$torch_spec") $base"

  mkdir -p "$root/.data"
  # One installer at a time (scripts/up and scripts/test may race).
  local lockfd
  exec {lockfd}>"$root/.data/ml-venv.lock"
  flock "$lockfd"

  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exec {lockfd}>&-
    return 0
  fi

  local t0=$SECONDS log rc=0
  log=$(mktemp)
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c '' 2>/dev/null; then
    rm -rf "$venv"
    _ml_log "ml: creating $venv ($base, torch: $(basename "$torch_spec"))"
    "$base" -m venv "$venv" >"$log" 2>&1 || rc=$?
  else
    _ml_log "ml: updating $venv (ml/pyproject.toml or torch choice changed)"
  fi
  if [ "$rc" -eq 0 ]; then
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install -q --progress-bar off "$torch_spec" >>"$log" 2>&1 || rc=$?
  fi
  if [ "$rc" -eq 0 ]; then
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install -q --progress-bar off -e "$root/ml[test]" >>"$log" 2>&1 || rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$log" >&2
    rm -f "$log" "$stamp"
    exec {lockfd}>&-
    printf 'error: ensure_ml_venv: installation failed (exit %s)\n' "$rc" >&2
    return 1
  fi
  rm -f "$log"
  printf '%s\n' "$want" >"$stamp"
  exec {lockfd}>&-
  _ml_log "ml: venv ready in $((SECONDS - t0)) s ($(du -sh "$venv" 2>/dev/null | cut -f1))"
}

# run_ml_tests [PYTEST_ARGS...]: the ml/ pytest suite on the venv, one torch
# thread (2 shared cores: more threads slow torch down 5-100x).
run_ml_tests() {
  local py
  py=$(ml_python)
  (cd "${ROOT:?}/ml" && OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false \
    "$py" -m pytest -q -p no:cacheprovider "$@")
}
