#!/usr/bin/env bash
# The one test command (npm test): installs what the tests need when missing, checks generated
# files are current, then runs every unit, contract and integration test with node:test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive as real peers (command → package).
declare -A NEED=([openssl]=openssl [curl]=curl [gpg]=gnupg [qpdf]=qpdf [pdftotext]=poppler-utils [chromium]=chromium)
missing=()
for cmd in "${!NEED[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}"); done
# Fonts the PDF method embeds for non-Latin scripts (Latin/Cyrillic/Greek, then CJK).
for pkg in fonts-dejavu-core fonts-noto-cjk; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if ((${#missing[@]})); then
  echo "installing test dependencies: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; fi
fi

# PostgreSQL for the contract and cluster tests (test/helpers/postgres.ts makes a throw-away
# database per test on it). SEALPOST_TEST_PG_URL given: used as is. Otherwise the local server is
# installed when missing, started when down, and a URL that works is exported; a test that cannot
# reach it fails (it is never skipped).
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "installing test dependency: postgresql"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [[ -n "$version" ]] || { echo "PostgreSQL is installed but /etc/postgresql has no cluster" >&2; return 1; }
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "starting PostgreSQL $version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL $version/main did not start (see /var/log/postgresql/)" >&2; return 1; }
  fi
  local url=postgres://postgres@127.0.0.1:5432/postgres
  if ! psql "$url" -Atqc 'select 1' >/dev/null 2>&1; then
    # Debian's default pg_hba wants a password over TCP: give the tests a role of their own
    as_root runuser -u postgres -- psql -qc "do \$\$ begin if not exists (select from pg_roles where rolname = 'sealpost_test') then create role sealpost_test login superuser password 'sealpost_test'; end if; end \$\$" >/dev/null
    url=postgres://sealpost_test:sealpost_test@127.0.0.1:5432/postgres
    psql "$url" -Atqc 'select 1' >/dev/null || { echo "cannot connect to the local PostgreSQL as postgres or sealpost_test" >&2; return 1; }
  fi
  export SEALPOST_TEST_PG_URL="$url"
}
if [[ -z "${SEALPOST_TEST_PG_URL:-}" ]]; then ensure_postgres || echo "WARNING: PostgreSQL is not available: the PostgreSQL and cluster tests will fail" >&2; fi

# The compiled CLI is what `npx sealpost` runs: make sure it is current.
npx tsc -p tsconfig.build.json
npx tsc -p tsconfig.json --noEmit
npx tsx scripts/gen-config-docs.ts --check
npx tsx scripts/gen-errors-docs.ts --check

mapfile -t files < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
