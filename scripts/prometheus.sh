#!/usr/bin/env bash
# A Prometheus server for kvstats: install it, run it against some workers,
# stop it. The tests start it through `run`, so the server they check is
# configured exactly as the one a developer starts by hand.
#
#   scripts/prometheus.sh install
#   scripts/prometheus.sh start [OPTIONS] TARGETS|CONFIG [PORT] [DATADIR]
#   scripts/prometheus.sh stop [DATADIR]
#   scripts/prometheus.sh run [OPTIONS] TARGETS|CONFIG PORT DATADIR
#   scripts/prometheus.sh config [OPTIONS] TARGETS
#
# TARGETS is a comma-separated list of HOST:PORT (`127.0.0.1:8081,127.0.0.1:8082`),
# scraped every second as job `kvstats`, or `-` for none (a server that only
# federates others); CONFIG is the path of a prometheus.yml to use instead.
# PORT defaults to 9090 and DATADIR to ${TMPDIR:-/tmp}/kvstats-prometheus-PORT;
# the server listens on 127.0.0.1 only and keeps its storage, configuration,
# rule files, log and pid file in DATADIR.
#
# OPTIONS, with TARGETS (a CONFIG says all of this itself):
#   --rules FILE                 load FILE's recording and alerting rules,
#                                evaluated every second; start and run check
#                                it with promtool and copy it into DATADIR
#                                (config refers to FILE where it is); repeatable
#   --external-label NAME=VALUE  add NAME=VALUE to the series others federate
#                                from this server and to its alerts; repeatable
#   --federate HOST:PORT,..      also scrape these Prometheus servers'
#                                /federate every second, as job `federate`,
#                                keeping the labels they give (honor_labels)
#   --match SELECTOR             what --federate asks for (`match[]`);
#                                repeatable; default: the series the kvstats
#                                rules record per group (dynamo_component:),
#                                but the quantiles, which this server computes
#                                itself from the federated bucket rates
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

readonly JOB=kvstats
readonly FEDERATE_JOB=federate
# The per-group series the generated rules record (group `kvstats:dynamo_component`),
# which the global server's `fleet:` rules aggregate again. Not the
# quantiles: their rules read the recorded bucket rates, so a global server
# with the same rule file computes them itself from the federated ones, and
# federating them too would feed one series (same name and labels) from two
# sources, their samples out of order.
readonly DEFAULT_MATCH='{__name__=~"dynamo_component:.+",__name__!~"dynamo_component:.+:histogram_quantile"}'
readonly DEFAULT_PORT=9090
# A cold start replays the write-ahead log of DATADIR; on a loaded CI
# machine that takes a few seconds, never this long.
readonly READY_TIMEOUT_S=60
readonly STOP_TIMEOUT_S=30

have_tools() {
    command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1
}

# Processes of the package's service, found through /proc so the check
# works on a minimal system without procps.
service_pids() {
    local uid dir
    uid=$(id -u prometheus 2>/dev/null) || return 0
    for dir in /proc/[0-9]*; do
        if [ "$(cat "$dir/comm" 2>/dev/null)" = prometheus ] &&
            [ "$(stat -c %u "$dir" 2>/dev/null)" = "$uid" ]; then
            echo "${dir#/proc/}"
        fi
    done
}

# The Debian package starts its service (on :9090, as user prometheus) where
# the init system lets it; the tests and the developer run their own server,
# so a service left running would only hold the port and the CPU.
stop_package_service() {
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        if systemctl is-active --quiet prometheus; then
            echo "stopping the prometheus service the package started"
            as_root systemctl stop prometheus
        fi
        if systemctl is-enabled --quiet prometheus 2>/dev/null; then
            echo "disabling the prometheus service the package enabled"
            as_root systemctl disable --quiet prometheus
        fi
    elif [ -x /etc/init.d/prometheus ] && [ -n "$(service_pids)" ]; then
        echo "stopping the prometheus service the package started"
        as_root /etc/init.d/prometheus stop || true
    fi
    local waited=0
    while [ -n "$(service_pids)" ]; do
        [ "$waited" -lt "$STOP_TIMEOUT_S" ] ||
            die "the package's prometheus service is still running (pids $(service_pids | tr '\n' ' '))"
        sleep 1
        waited=$((waited + 1))
    done
}

cmd_install() {
    if have_tools; then
        echo "prometheus and promtool are installed: $(prometheus --version 2>&1 | head -n 1)"
    else
        echo "installing the Debian package prometheus (prometheus and promtool)"
        # Without recommends: they would add exporters that start services of their own.
        apt_install prometheus
        have_tools || die "the package prometheus did not provide prometheus and promtool on PATH"
    fi
    stop_package_service
}

# What the command line asked for besides its positional arguments, which
# parse_options leaves in ARGS.
RULES=()
LABELS=()
FEDERATE=""
MATCHES=()
ARGS=()

# Says what is wrong with the command line and exits 2, as usage does.
bad_usage() {
    echo "$(basename "$0"): $*; see --help" >&2
    exit 2
}

# Reads OPTIONS (anywhere on the line, `--name VALUE` or `--name=VALUE`).
parse_options() {
    local arg name value
    while [ $# -gt 0 ]; do
        arg=$1
        shift
        case "$arg" in
        --rules | --external-label | --federate | --match | --rules=* | \
            --external-label=* | --federate=* | --match=*)
            if [[ "$arg" == *=* ]]; then
                name=${arg%%=*} value=${arg#*=}
            else
                [ $# -gt 0 ] || bad_usage "$arg needs a value"
                name=$arg value=$1
                shift
            fi
            # Every value ends up in YAML on one line.
            [[ "$value" != *$'\n'* ]] || bad_usage "$name: a value on more than one line"
            case "$name" in
            --rules) RULES+=("$value") ;;
            --external-label) LABELS+=("$value") ;;
            --federate) FEDERATE+="${FEDERATE:+,}$value" ;;
            --match) MATCHES+=("$value") ;;
            esac
            ;;
        --) ARGS+=("$@") && break ;;
        -?*) bad_usage "unknown option \`$arg\`" ;;
        *) ARGS+=("$arg") ;;
        esac
    done
}

have_options() {
    [ ${#RULES[@]} -gt 0 ] || [ ${#LABELS[@]} -gt 0 ] || [ -n "$FEDERATE" ] || [ ${#MATCHES[@]} -gt 0 ]
}

# A YAML single-quoted scalar: only the quote itself needs escaping.
quoted() {
    printf "'%s'" "${1//\'/\'\'}"
}

# The flow list of TARGETS (`['a:1', 'b:2']`), each checked; empty for `-`.
target_list() {
    local targets=$1 target list=""
    [ "$targets" != - ] || return 0
    local IFS=,
    for target in $targets; do
        [[ "$target" =~ ^[^[:space:]\',]+:[0-9]+$ ]] || die "invalid target \`$target\`: expected HOST:PORT"
        list+="${list:+, }'$target'"
    done
    [ -n "$list" ] || die "no target given"
    echo "[$list]"
}

# Prints the configuration for TARGETS and the options, its rule files
# named by the remaining arguments (as the configuration refers to them).
render_config() {
    local targets=$1 federated="" workers="" label name rule match
    shift
    workers=$(target_list "$targets")
    [ -z "$FEDERATE" ] || federated=$(target_list "$FEDERATE")
    [ -n "$workers" ] || [ -n "$federated" ] || die "no target given: \`-\` needs --federate"
    [ -n "$FEDERATE" ] || [ ${#MATCHES[@]} -eq 0 ] || bad_usage "--match needs --federate"
    for label in "${LABELS[@]}"; do
        name=${label%%=*}
        [[ "$label" == *=* && "$name" =~ ^[a-zA-Z_][a-zA-Z0-9_]*$ && "$name" != __* ]] ||
            die "invalid external label \`$label\`: expected NAME=VALUE, NAME a label name not starting with __"
    done
    cat <<YAML
# Generated by scripts/prometheus.sh: every target every second, so a test
# sees a new value within a few seconds of its publish.
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
YAML
    if [ ${#LABELS[@]} -gt 0 ]; then
        echo "  external_labels:"
        for label in "${LABELS[@]}"; do
            echo "    ${label%%=*}: $(quoted "${label#*=}")"
        done
    fi
    if [ $# -gt 0 ]; then
        echo "rule_files:"
        for rule in "$@"; do
            echo "  - $(quoted "$rule")"
        done
    fi
    echo "scrape_configs:"
    if [ -n "$workers" ]; then
        cat <<YAML
  - job_name: $JOB
    static_configs:
      - targets: $workers
YAML
    fi
    if [ -n "$federated" ]; then
        # honor_labels: the series keep the labels the federated server gives
        # them (its external labels included), not this job's.
        cat <<YAML
  - job_name: $FEDERATE_JOB
    honor_labels: true
    metrics_path: /federate
    params:
      'match[]':
YAML
        [ ${#MATCHES[@]} -gt 0 ] || MATCHES=("$DEFAULT_MATCH")
        for match in "${MATCHES[@]}"; do
            echo "        - $(quoted "$match")"
        done
        cat <<YAML
    static_configs:
      - targets: $federated
YAML
    fi
}

# Prints the configuration for TARGETS and OPTIONS, its rule files where
# they are.
cmd_config() {
    parse_options "$@"
    [ ${#ARGS[@]} -eq 1 ] || bad_usage "config takes one TARGETS"
    local rules=() rule
    for rule in "${RULES[@]}"; do
        [ -f "$rule" ] || die "no rule file $rule"
        rules+=("$(realpath "$rule")")
    done
    render_config "${ARGS[0]}" "${rules[@]}"
}

# Writes DATADIR/prometheus.yml from TARGETS and OPTIONS (the rule files
# checked and copied into DATADIR/rules, so the server depends neither on
# the caller's directory nor on files changed after the start), or copies
# CONFIG there.
prepare() {
    local source=$1 datadir=$2
    mkdir -p "$datadir/data"
    if [ -f "$source" ]; then
        ! have_options || bad_usage "OPTIONS go with TARGETS; CONFIG \`$source\` says everything itself"
        [ "$source" -ef "$datadir/prometheus.yml" ] || cp "$source" "$datadir/prometheus.yml"
    else
        rm -rf "$datadir/rules"
        local rules=() rule copy index=0 out
        for rule in "${RULES[@]}"; do
            [ -f "$rule" ] || die "no rule file $rule"
            # Numbered, so that two files of the same name do not overwrite each other.
            index=$((index + 1))
            copy="rules/$index-$(basename "$rule")"
            mkdir -p "$datadir/rules"
            cp "$rule" "$datadir/$copy"
            out=$(promtool check rules "$datadir/$copy" 2>&1) || die "invalid rule file $rule: $out"
            # Relative: Prometheus reads it from the configuration's folder.
            rules+=("$copy")
        done
        render_config "$source" "${rules[@]}" >"$datadir/prometheus.yml"
    fi
    promtool check config --syntax-only "$datadir/prometheus.yml" >/dev/null ||
        die "invalid configuration $datadir/prometheus.yml"
}

check_port() {
    if ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then
        die "invalid port \`$1\`"
    fi
}

require_tools() {
    have_tools || die "prometheus or promtool is missing: run scripts/prometheus.sh install"
}

# Runs the server in the foreground (exec: the caller's child is prometheus
# itself, so killing it leaves nothing behind).
cmd_run() {
    parse_options "$@"
    [ ${#ARGS[@]} -eq 3 ] || usage 2
    local source=${ARGS[0]} port=${ARGS[1]} datadir=${ARGS[2]}
    require_tools
    check_port "$port"
    prepare "$source" "$datadir"
    exec prometheus \
        --config.file="$datadir/prometheus.yml" \
        --storage.tsdb.path="$datadir/data" \
        --web.listen-address="127.0.0.1:$port" \
        --log.level=warn
}

default_datadir() {
    echo "${TMPDIR:-/tmp}/kvstats-prometheus-$1"
}

# Whether the server on PORT answers /-/ready with 200 (bash's /dev/tcp:
# no curl needed on a minimal machine).
ready() {
    local reply=""
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r -t 2 reply <&3 || true
    exec 3>&-
    [[ "$reply" == "HTTP/1."?" 200"* ]]
}

pid_alive() {
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

cmd_start() {
    parse_options "$@"
    if [ ${#ARGS[@]} -lt 1 ] || [ ${#ARGS[@]} -gt 3 ]; then
        usage 2
    fi
    local source=${ARGS[0]} port=${ARGS[1]:-$DEFAULT_PORT}
    local datadir=${ARGS[2]:-$(default_datadir "$port")}
    require_tools
    check_port "$port"
    local pidfile=$datadir/prometheus.pid
    if [ -f "$pidfile" ] && pid_alive "$(cat "$pidfile")"; then
        die "already running (pid $(cat "$pidfile")); stop it first: $0 stop $datadir"
    fi
    prepare "$source" "$datadir"
    nohup "$0" run "$datadir/prometheus.yml" "$port" "$datadir" \
        >"$datadir/prometheus.log" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$pidfile"
    local waited=0
    until ready "$port" 2>/dev/null; do
        if ! pid_alive "$pid"; then
            rm -f "$pidfile"
            tail -n 20 "$datadir/prometheus.log" >&2
            die "prometheus exited; its log is $datadir/prometheus.log"
        fi
        if [ "$waited" -ge $((READY_TIMEOUT_S * 10)) ]; then
            kill "$pid" 2>/dev/null || true
            rm -f "$pidfile"
            die "prometheus was not ready after ${READY_TIMEOUT_S}s; its log is $datadir/prometheus.log"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    echo "prometheus (pid $pid) on http://127.0.0.1:$port, data in $datadir"
    echo "stop it with: $0 stop $datadir"
}

cmd_stop() {
    [ $# -le 1 ] || usage 2
    local datadir=${1:-$(default_datadir "$DEFAULT_PORT")}
    local pidfile=$datadir/prometheus.pid
    [ -f "$pidfile" ] || die "no $pidfile: nothing started there"
    local pid waited=0
    pid=$(cat "$pidfile")
    if pid_alive "$pid"; then
        kill -TERM "$pid"
        while pid_alive "$pid"; do
            if [ "$waited" -ge $((STOP_TIMEOUT_S * 10)) ]; then
                echo "prometheus (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT_S}s; killing it" >&2
                kill -KILL "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.1
            waited=$((waited + 1))
        done
    fi
    rm -f "$pidfile"
    echo "stopped prometheus (pid $pid)"
}

main() {
    local command=${1:-}
    [ $# -gt 0 ] && shift
    case "$command" in
    install) cmd_install "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    run) cmd_run "$@" ;;
    config) cmd_config "$@" ;;
    -h | --help | help) usage 0 ;;
    *) usage 2 ;;
    esac
}

main "$@"
