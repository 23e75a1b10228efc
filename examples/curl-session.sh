#!/usr/bin/env bash
# Creates a session, uploads an image, submits it and reads the decision with
# curl, signing each request the way Veriff does. Run it against
# `veriff-conformance mock --api-key demo-api-key --shared-secret
# demo-shared-secret` (or any server that takes those).
#   usage: examples/curl-session.sh [BASE_URL]     (default http://127.0.0.1:8080)
# VC names the veriff-conformance binary (default: veriff-conformance on PATH).
set -euo pipefail
BASE=${1:-http://127.0.0.1:8080}
VC=${VC:-veriff-conformance}
API_KEY=${VERIFF_API_KEY:-demo-api-key}
export VERIFF_SHARED_SECRET=${VERIFF_SHARED_SECRET:-demo-shared-secret}

# 1. Create a session: X-AUTH-CLIENT only, no signature. On the mock (and a
#    Veriff test integration), firstName "Approve" approves it at submit.
created=$(curl -sS --fail-with-body -X POST "$BASE/v1/sessions" \
  -H "X-AUTH-CLIENT: $API_KEY" -H 'Content-Type: application/json' \
  -d '{"verification":{"vendorData":"user-42","person":{"firstName":"Approve"}}}')
echo "created:   $created"
id=$(printf '%s' "$created" | sed -E 's/.*"id":"([^"]+)".*/\1/')

# 2. Upload an image (a data URI), signed over the exact body bytes.
media='{"image":{"context":"document-front","content":"data:image/jpeg;base64,/9j/4AAQ"}}'
uploaded=$(curl -sS --fail-with-body -X POST "$BASE/v1/sessions/$id/media" \
  -H "X-AUTH-CLIENT: $API_KEY" -H "X-HMAC-SIGNATURE: $(printf '%s' "$media" | "$VC" sign)" \
  -H 'Content-Type: application/json' --data-binary "$media")
echo "uploaded:  $uploaded"

# 3. Submit it: sign the exact bytes that are sent.
body='{"verification":{"status":"submitted"}}'
signature=$(printf '%s' "$body" | "$VC" sign)
submitted=$(curl -sS --fail-with-body -X PATCH "$BASE/v1/sessions/$id" \
  -H "X-AUTH-CLIENT: $API_KEY" -H "X-HMAC-SIGNATURE: $signature" \
  -H 'Content-Type: application/json' --data-binary "$body")
echo "submitted: $submitted"

# 4. Submitting again is refused, as the endpoint page documents.
again=$(curl -sS -X PATCH "$BASE/v1/sessions/$id" \
  -H "X-AUTH-CLIENT: $API_KEY" -H "X-HMAC-SIGNATURE: $signature" \
  -H 'Content-Type: application/json' --data-binary "$body" -w ' (HTTP %{http_code})')
echo "again:     $again"

# 5. Read the decision: a GET is signed over the session id.
decision=$(curl -sS --fail-with-body "$BASE/v1/sessions/$id/decision" \
  -H "X-AUTH-CLIENT: $API_KEY" -H "X-HMAC-SIGNATURE: $(printf '%s' "$id" | "$VC" sign)")
echo "decision:  $decision"
