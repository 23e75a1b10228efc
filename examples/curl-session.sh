#!/usr/bin/env bash
# Creates and submits a session with curl, signing the submit the way Veriff
# does. Run it against `veriff-conformance mock --api-key demo-api-key
# --shared-secret demo-shared-secret` (or any server that takes those).
#   usage: examples/curl-session.sh [BASE_URL]     (default http://127.0.0.1:8080)
# VC names the veriff-conformance binary (default: veriff-conformance on PATH).
set -euo pipefail
BASE=${1:-http://127.0.0.1:8080}
VC=${VC:-veriff-conformance}
API_KEY=${VERIFF_API_KEY:-demo-api-key}
export VERIFF_SHARED_SECRET=${VERIFF_SHARED_SECRET:-demo-shared-secret}

# 1. Create a session: X-AUTH-CLIENT only, no signature.
created=$(curl -sS --fail-with-body -X POST "$BASE/v1/sessions" \
  -H "X-AUTH-CLIENT: $API_KEY" -H 'Content-Type: application/json' \
  -d '{"verification":{"vendorData":"user-42"}}')
echo "created:   $created"
id=$(printf '%s' "$created" | sed -E 's/.*"id":"([^"]+)".*/\1/')

# 2. Submit it: sign the exact bytes that are sent.
body='{"verification":{"status":"submitted"}}'
signature=$(printf '%s' "$body" | "$VC" sign)
submitted=$(curl -sS --fail-with-body -X PATCH "$BASE/v1/sessions/$id" \
  -H "X-AUTH-CLIENT: $API_KEY" -H "X-HMAC-SIGNATURE: $signature" \
  -H 'Content-Type: application/json' --data-binary "$body")
echo "submitted: $submitted"

# 3. Submitting again is refused, as the endpoint page documents.
again=$(curl -sS -X PATCH "$BASE/v1/sessions/$id" \
  -H "X-AUTH-CLIENT: $API_KEY" -H "X-HMAC-SIGNATURE: $signature" \
  -H 'Content-Type: application/json' --data-binary "$body" -w ' (HTTP %{http_code})')
echo "again:     $again"
