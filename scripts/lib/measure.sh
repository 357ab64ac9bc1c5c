# Measuring helpers for scripts/bench* (sourced).

# measure COMMAND...: runs COMMAND under /usr/bin/time -v (its stdout to $MEASURE_OUT, default
# /dev/null) and prints "wall_s user_s sys_s peak_rss_kib". A failing command aborts with its output.
measure() {
    local times
    times=$(mktemp)
    if ! /usr/bin/time -v "$@" 2>"$times" >"${MEASURE_OUT:-/dev/null}"; then
        cat "$times" >&2; rm -f "$times"; echo "measure: failed: $*" >&2; return 1
    fi
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
                /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
                END { printf "%.2f %.2f %.2f %d\n", w, u, s, m }' "$times"
    rm -f "$times"
}

# median NUMBER...: the median (mean of the two middle values for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else { m = (v[NR / 2] + v[NR / 2 + 1]) / 2; if (m == int(m)) print m; else printf "%.2f\n", m } }'
}

# mib KIB: kibibytes as mebibytes with one decimal.
mib() { awk -v k="$1" 'BEGIN { printf "%.1f\n", k / 1024 }'; }
