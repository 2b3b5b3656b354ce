#!/usr/bin/env bash
# Set up ninbai on Debian 12: system packages, .venv, the package, the names font.
#
#   bash scripts/setup.sh          what `ninbai build` needs
#   bash scripts/setup.sh --dev    also the test tools (pytest, ruff, poppler-utils, chromium)
#
# Idempotent and quick when everything is there: apt runs only for packages dpkg says are
# missing, pip only when pyproject.toml or constraints.txt changed, the font only when its
# sources changed. Non-interactive (works under CI with no stdin). Runs as root, or with sudo
# when not root. The venv uses Debian's python3 (built with PGO and LTO: PDFs take ≈20% less
# CPU than with an interpreter compiled without them, such as pyenv's default build; see
# docs/performance.md). PYTHON=/path/to/python3 chooses another interpreter (3.11 or newer);
# the venv is made again when its interpreter is not the one chosen.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=.venv
PYTHON=${PYTHON:-/usr/bin/python3}
STAMP=$VENV/.ninbai-setup
started=$SECONDS

# WeasyPrint needs Pango; libharfbuzz-subset0 lets it subset fonts in C (without it it falls back
# to fontTools, 4-5x slower per PDF); IPAex fonts for the body, IPAmj Mincho as the source of
# the names font (docs/rendering.md §3).
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
          fonts-ipaexfont-mincho fonts-ipaexfont-gothic fonts-ipamj-mincho)
# Tests: pdftotext/pdftoppm, and headless Chromium for the review page.
DEV_PACKAGES=(poppler-utils chromium)

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: エラー: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }

dev=0
for arg in "$@"; do
  case $arg in
    --dev) dev=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

python_ok() {  # the interpreter exists, is 3.11+, and can make a venv with pip
  command -v "$PYTHON" >/dev/null &&
    "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || echo "$p"
  done
}

apt_install() {
  local as_root=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "root ではありません。root で実行するか、次を実行してください: apt-get install $*"
    as_root=(sudo)
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null
}

system_packages() {
  local wanted=("${PACKAGES[@]}") missing
  ((dev)) && wanted+=("${DEV_PACKAGES[@]}")
  python_ok || wanted+=(python3 python3-venv)  # Debian's python3 needs python3-venv for venv
  mapfile -t missing < <(missing_packages "${wanted[@]}")
  if ((${#missing[@]} == 0)); then
    log "system packages: all ${#wanted[@]} present"
    return
  fi
  log "system packages: installing ${missing[*]}"
  apt_install "${missing[@]}"
}

interpreter() {  # the real file of an interpreter, or of the one a venv was made from
  "$1" -c 'import os, sys; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))' 2>/dev/null
}

make_venv() {
  python_ok || die "$PYTHON は Python 3.11 以上で venv が使えるものが必要です（PYTHON=... で指定できます）"
  local chosen
  chosen=$(interpreter "$PYTHON")
  if [[ -x $VENV/bin/python ]] &&
     $VENV/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null &&
     [[ $(interpreter $VENV/bin/python) == "$chosen" ]]; then
    log "$VENV: present ($($VENV/bin/python -V), $chosen)"
    return
  fi
  # Missing, broken (its interpreter was removed) or made from another interpreter: start again.
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  log "$VENV: created ($($VENV/bin/python -V), $chosen)"
}

install_package() {
  local spec=. mode=run want
  ((dev)) && spec='.[dev]' mode=dev
  want="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16) $mode"
  # A dev install also satisfies a plain one.
  if [[ -f $STAMP ]] && { [[ $(<"$STAMP") == "$want" ]] ||
       { ((!dev)) && [[ $(<"$STAMP") == "${want% *} dev" ]]; }; }; then
    log "python packages: up to date ($mode)"
    return
  fi
  local out
  out=$(mktemp)
  # pip's output is kept only when it fails (setuptools warns on every editable install).
  if ! PIP_NO_INPUT=1 $VENV/bin/python -m pip install -q --disable-pip-version-check \
       -c constraints.txt -e "$spec" >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    die "pip install に失敗しました"
  fi
  rm -f "$out"
  echo "$want" >"$STAMP"
  log "python packages: installed $spec with constraints.txt"
}

names_font() {
  log "$($VENV/bin/python -m pipeline.render.fonts build)"
}

system_packages
make_venv
install_package
names_font
log "done in $((SECONDS - started)) s"
