#!/usr/bin/env bash
# The Python side of the tests: a virtual environment with the pinned
# prometheus_client, whose text parser reads every exposition the tests
# produce back, independently of our own reader.
#
#   scripts/python.sh install   create the environment and install the pinned packages
#                               (nothing to do, and nothing downloaded, when they are there)
#   scripts/python.sh python    print the path of the environment's python, or
#                               say what is missing and exit 1
#
# The environment lives in $KVSTATS_PYTHON_ENV, by default target/python of
# the repository (so `cargo clean` removes it, and the next install or test
# brings it back). It needs python3 with its venv module; `install` gets them
# from Debian's packages (as root or via sudo) where they are missing.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

# The one pin: prometheus_client's parser is what the tests compare against.
readonly REQUIREMENT=prometheus-client==0.26.0
readonly ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ENV_DIR=${KVSTATS_PYTHON_ENV:-$ROOT/target/python}
readonly PYTHON=$ENV_DIR/bin/python3

# Whether the environment has the pinned version (read from the installed
# package's metadata, so nothing is imported or downloaded).
installed() {
    [ -x "$PYTHON" ] || return 1
    local name=${REQUIREMENT%%==*} version=${REQUIREMENT##*==} found
    found=$("$PYTHON" -c 'import importlib.metadata, sys; print(importlib.metadata.version(sys.argv[1]))' \
        "$name" 2>/dev/null) || return 1
    [ "$found" = "$version" ]
}

have_python_venv() {
    command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' >/dev/null 2>&1
}

cmd_install() {
    if installed; then
        echo "$REQUIREMENT is installed in $ENV_DIR"
        return 0
    fi
    if ! have_python_venv; then
        echo "installing Debian's python3 and python3-venv"
        apt_install python3 python3-venv
        have_python_venv || die "python3 with its venv module is still missing"
    fi
    if [ ! -x "$PYTHON" ]; then
        python3 -m venv "$ENV_DIR" || die "cannot create the environment $ENV_DIR"
    fi
    "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-input "$REQUIREMENT" ||
        die "pip could not install $REQUIREMENT into $ENV_DIR"
    installed || die "$REQUIREMENT is still not in $ENV_DIR after pip install"
    echo "installed $REQUIREMENT in $ENV_DIR"
}

cmd_python() {
    installed || die "$REQUIREMENT is not installed in $ENV_DIR"
    echo "$PYTHON"
}

main() {
    local command=${1:-}
    [ $# -gt 0 ] && shift
    case "$command" in
    install) [ $# -eq 0 ] || usage 2; cmd_install ;;
    python) [ $# -eq 0 ] || usage 2; cmd_python ;;
    -h | --help | help) usage 0 ;;
    *) usage 2 ;;
    esac
}

main "$@"
