#!/usr/bin/env bash
# ITI-41 Provide and Register with curl: an MTOM package (multipart/related, XOP) holding
# provide_and_register.xml and one document, e.g.:
#   docs/examples/provide_and_register.sh http://127.0.0.1:8080/repository report.pdf
# Prints the document uniqueId to use with retrieve.xml, then the server's answer.
set -euo pipefail
url=${1:-http://127.0.0.1:8080/repository}
document=${2:?a document file to send}
here=$(dirname "$0")
suffix=$(date +%s%N)
boundary="MIMEBoundary_$suffix"
body=$(mktemp)
trap 'rm -f "$body"' EXIT
{
  printf -- '--%s\r\n' "$boundary"
  printf 'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\n'
  printf 'Content-Transfer-Encoding: 8bit\r\nContent-ID: <root@example.org>\r\n\r\n'
  sed "s/UNIQUE/$suffix/g" "$here/provide_and_register.xml"
  printf '\r\n--%s\r\n' "$boundary"
  printf 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n'
  printf 'Content-ID: <document01@example.org>\r\n\r\n'
  cat "$document"
  printf '\r\n--%s--\r\n' "$boundary"
} > "$body"
echo "document uniqueId: 1.2.250.1.999.3.$suffix" >&2
curl -sS "$url" --data-binary @"$body" -H "Content-Type: multipart/related; boundary=\"$boundary\"; \
type=\"application/xop+xml\"; start=\"<root@example.org>\"; start-info=\"application/soap+xml\""
echo
