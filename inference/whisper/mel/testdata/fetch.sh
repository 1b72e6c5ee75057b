#!/usr/bin/env bash
# fetch.sh puts the reference implementation that reference.mjs runs under
# .cache/mel-reference (git-ignored): transformers.js, the npm package
# @xenova/transformers (pinned by version and sha256), whose
# WhisperFeatureExtractor (src/processors.js, src/utils/audio.js) computes
# Whisper's log-mel features in plain JavaScript. The package is unpacked
# without its dependencies: the three native or heavy ones that
# src/processors.js imports but the feature extractor never calls (sharp,
# onnxruntime-node, onnxruntime-web) are replaced by small stubs written
# here. It does nothing when everything is present. Needs npm.
#
# The Go tests do not need this: they read the committed reference in
# testdata/. Only regenerating it (node reference.mjs) does.
set -euo pipefail
cd "$(dirname "$0")/../../../.."

DEST=.cache/mel-reference
PKG=@xenova/transformers@2.17.2
TGZ=xenova-transformers-2.17.2.tgz
SHA256=3961b6bfe33867548e63955e610101c437179d6eac2aaea4ed81b5e6dc4443e5
LIB=$DEST/node_modules/@xenova/transformers

say() { printf 'mel fetch: %s\n' "$*"; }
die() { printf 'mel fetch: %s\n' "$*" >&2; exit 1; }

want=("$LIB/package.json" "$LIB/src/processors.js" "$LIB/src/utils/audio.js"
      "$DEST/node_modules/sharp/index.js" "$DEST/node_modules/onnxruntime-node/index.js"
      "$DEST/node_modules/onnxruntime-web/index.js" "$DEST/VERSION")
missing=0
for f in "${want[@]}"; do [ -s "$f" ] || missing=1; done
if [ "$missing" = 0 ] && [ "$(cat "$DEST/VERSION")" = "$PKG $SHA256" ]; then exit 0; fi

command -v npm >/dev/null 2>&1 || die "npm is needed to fetch $PKG"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "fetching $PKG with npm pack"
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
got=$(sha256sum "$tmp/$TGZ" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || die "$TGZ: sha256 $got, want $SHA256"

rm -rf "$DEST"
mkdir -p "$LIB"
tar xzf "$tmp/$TGZ" -C "$LIB" --strip-components=1

# stub PKG BODY writes an ES module package named PKG whose index.js is BODY.
stub() {
  mkdir -p "$DEST/node_modules/$1"
  printf '{"name":"%s","version":"0.0.0-stub","type":"module","main":"index.js"}\n' "$1" \
    >"$DEST/node_modules/$1/package.json"
  printf '%s\n' "$2" >"$DEST/node_modules/$1/index.js"
}
# onnxruntime: transformers.js wraps its tensors in ONNX.Tensor, a plain
# container as far as the feature extractor is concerned.
ort='// Stub for mel reference runs: a tensor container, no inference.
export class Tensor {
  constructor(type, data, dims) { this.type = type; this.data = data; this.dims = dims; this.size = data.length; }
}
export const env = {};
export default { Tensor, env };'
stub onnxruntime-node "$ort"
stub onnxruntime-web "$ort"
stub sharp '// Stub for mel reference runs: image decoding is never used.
export default function sharp() { throw new Error("sharp is stubbed out"); }'
printf '%s %s\n' "$PKG" "$SHA256" >"$DEST/VERSION"
say "transformers.js is in $LIB"
