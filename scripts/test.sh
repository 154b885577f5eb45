#!/usr/bin/env bash
# The one test command (npm test): installs what the tests need when missing, checks generated
# files are current, then runs every unit, contract and integration test with node:test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive as real peers (command → package).
declare -A NEED=([openssl]=openssl [curl]=curl)
missing=()
for cmd in "${!NEED[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}"); done
if ((${#missing[@]})); then
  echo "installing test dependencies: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >/dev/null; fi
fi

# The compiled CLI is what `npx sealpost` runs: make sure it is current.
npx tsc -p tsconfig.build.json
npx tsc -p tsconfig.json --noEmit
npx tsx scripts/gen-config-docs.ts --check
npx tsx scripts/gen-errors-docs.ts --check

mapfile -t files < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
