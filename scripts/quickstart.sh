#!/usr/bin/env bash
# Quick start: install what is missing, then run the main job (services, default collectors, a worker).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/marketprism.js up "$@"
