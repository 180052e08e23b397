#!/usr/bin/env bash
# `npm run lint:openapi`: writes the OpenAPI document an API process serves (no Redis needed) to
# build/openapi.json and lints it with Redocly (redocly.yaml; .redocly.lint-ignore.yaml says why
# the few findings left are right). Offline: telemetry and the update check are off.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
npx tsx scripts/openapi.ts build/openapi.json
status=0
output="$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx redocly lint --format=stylish 2>&1)" ||
  status=$?
# Redocly's boxed Node 20 end-of-life banner is not a finding of ours.
grep -v -e '║' -e '╔' -e '╚' <<<"$output" || true
exit "$status"
