# What the scripts of this folder share; they source it right after their
# header comment and `set -euo pipefail`. Not meant to be run on its own.

# Says what went wrong, prefixed with the script's name, and exits 1.
die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# Prints the script's header comment (its second line up to `set -euo`) and
# exits with CODE (0 by default); to standard error when it answers a mistake.
usage() {
    local code=${1:-0}
    if [ "$code" -eq 0 ]; then
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    else
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    fi
    exit "$code"
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "installing needs root (or sudo) to run: $*"
    fi
}

# Installs Debian packages, without their recommends (they would add
# services and tools nobody asked for).
apt_install() {
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@"
}
