#!/usr/bin/env bash
# Builds every example of the workspace, runs each one with RUST_LOG=trace and fixed, recognisable
# secrets, and fails if any secret appears in what an example prints (stdout and stderr).
#
# Without OPEN_CONNECTORS_BASE_URL the examples start the embedded emulator and hand it these
# secrets, so the scan needs no account and no network beyond loopback. An example that exits
# with a failure (or runs past the timeout) fails the scan too: a run that stopped early proves
# nothing about what it would have printed.
set -euo pipefail

cd "$(dirname "$0")/.."

user_secret="ci-scan-user-secret-7f3a9e"
organization_secret="ci-scan-organization-secret-91bc4d"
rally_api_key="ci-scan-rally-api-key-c0de55"
secrets=("$user_secret" "$organization_secret" "$rally_api_key")
per_example_timeout="${SECRET_SCAN_TIMEOUT:-120}"

unset OPEN_CONNECTORS_BASE_URL
export OPEN_CONNECTORS_USER_SECRET="$user_secret"
export OPEN_CONNECTORS_ORGANIZATION_SECRET="$organization_secret"
export RALLY_API_KEY="$rally_api_key"
export RUST_LOG=trace
export RUST_BACKTRACE=0

# The JSON messages name every example binary cargo built, in this workspace only.
mapfile -t examples < <(
    cargo build --workspace --examples --message-format=json \
        | grep '"kind":\["example"\]' \
        | grep -o '"executable":"[^"]*"' \
        | sed 's/^"executable":"//; s/"$//' \
        | sort -u
)

if [ "${#examples[@]}" -eq 0 ]; then
    echo "secret-scan: no examples to run"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
leaks=0
failures=0

for example in "${examples[@]}"; do
    name="$(basename "$example")"
    output="$work/$name.log"
    status=0
    timeout "$per_example_timeout" "$example" >"$output" 2>&1 </dev/null || status=$?
    echo "secret-scan: $name exited with $status, $(wc -l <"$output") lines of output"
    if [ "$status" -ne 0 ]; then
        echo "secret-scan: $name FAILED with status $status"
        failures=$((failures + 1))
    fi
    for secret in "${secrets[@]}"; do
        if grep -qF -- "$secret" "$output"; then
            echo "secret-scan: $name printed a secret (line $(grep -nF -- "$secret" "$output" | head -1 | cut -d: -f1))"
            leaks=$((leaks + 1))
        fi
    done
done

if [ "$leaks" -ne 0 ] || [ "$failures" -ne 0 ]; then
    echo "secret-scan: FAILED, $leaks leak(s), $failures failed example(s)"
    exit 1
fi
echo "secret-scan: ${#examples[@]} example(s), no secret printed"
