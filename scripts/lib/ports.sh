# Port checks for scripts/services/* (sourced). They only read /proc/net/tcp{,6}: no connection is
# made and nothing is started, so a status check can never disturb a service or leave a process.

# port_listening PORT: true when a TCP socket listens on PORT (any address, IPv4 or IPv6).
port_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v port="$hex" 'FNR > 1 && $4 == "0A" { split($2, a, ":"); if (a[2] == port) found = 1 }
                        END { exit found ? 0 : 1 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# service_status NAME LABEL=PORT...: prints "NAME: running|stopped|partly running (...)" and
# returns 0 when every port listens, 3 when none does (the LSB code for "not running"), 1 otherwise.
service_status() {
    local name=$1; shift
    local up=() down=() entry
    for entry in "$@"; do
        if port_listening "${entry#*=}"; then up+=("$entry"); else down+=("$entry"); fi
    done
    if [ ${#down[@]} -eq 0 ]; then
        echo "$name: running (${up[*]})"; return 0
    elif [ ${#up[@]} -eq 0 ]; then
        echo "$name: stopped (nothing listens on ${down[*]})"; return 3
    fi
    echo "$name: partly running (listening: ${up[*]}; not listening: ${down[*]})"; return 1
}
