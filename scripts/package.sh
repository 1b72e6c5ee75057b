#!/usr/bin/env bash
# package.sh makes the Linux bundle of SAMO, dist/samo-VERSION-linux-ARCH.tar.xz,
# from a built bin/samo (make package builds it first), then checks it.
#
# `fyne package` (fyne.io/tools, the CLI of Fyne 2.7) packs the binary with the
# desktop entry it writes from FyneApp.toml; it cannot take extra files, so
# this script unpacks its tarball and lays the bundle out with
# scripts/install.sh (DESTDIR=bundle, PREFIX=/usr/local), which adds
# onnxruntime, the VAD model and the icon; the bundle carries install.sh and a
# Makefile (sudo make install, or make user-install into ~/.local).
#
# The check unpacks the bundle into a temporary folder and fails unless
# every library of the binary and of onnxruntime resolves (ldd), the libraries
# GLFW opens at run time are present, the menu entry validates, and
# `samo doctor`, run from another folder with none of SAMO's variables set,
# finds onnxruntime and the VAD model inside the unpacked bundle.
#
# Usage: package.sh [VERSION]   (default: git describe)
set -euo pipefail
cd "$(dirname "$0")/.."

FYNE_TOOLS=fyne.io/tools/cmd/fyne@v1.7.4
ID=app.samo.journal
# The Debian 12 packages the bundle needs at run time (see README.txt below).
RUNTIME_PACKAGES="libgl1 libglx-mesa0 libgl1-mesa-dri libx11-6 libx11-xcb1 libxcursor1 libxi6 libxinerama1 libxrandr2 libxrender1 libxxf86vm1 libportaudio2 libasound2"
# Libraries GLFW opens with dlopen, which ldd does not list.
DLOPENED="libXcursor.so.1 libXi.so.6 libXinerama.so.1 libXrandr.so.2 libXrender.so.1 libXxf86vm.so.1 libX11-xcb.so.1"

# xz on every core, for fyne package's tarball and ours.
export XZ_OPT=${XZ_OPT:--T0}

say() { printf 'package: %s\n' "$*"; }
die() { printf 'package: %s\n' "$*" >&2; exit 1; }

version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
arch=$(go env GOARCH)
name=samo-$version-linux-$arch
bin=bin/samo
[ -x "$bin" ] || die "$bin is missing: run make build (make package does)"
for f in .cache/lib/libonnxruntime.so.1 .cache/models/silero_vad_v5.onnx; do
  [ -f "$f" ] || die "$f is missing: run make deps"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. fyne package, on a copy of FyneApp.toml (it raises Build in the file it reads).
mkdir -p "$work/src/assets"
cp FyneApp.toml "$work/src/"
cp assets/icon.png "$work/src/assets/"
printf 'package main\n\nfunc main() {}\n' >"$work/src/main.go" # fyne package wants Go code beside FyneApp.toml
cp "$bin" "$work/samo"
say "fyne package -os linux ($FYNE_TOOLS)"
(cd "$work/src" && go run "$FYNE_TOOLS" package -os linux --executable "$work/samo")
mkdir "$work/fyne"
tar -xJf "$work/src/SAMO.tar.xz" -C "$work/fyne"
fyne_usr=$(dirname "$(find "$work/fyne" -path '*/bin/samo' -type f)")/..
[ -f "$fyne_usr/share/applications/$ID.desktop" ] || die "fyne package wrote no $ID.desktop"

# 2. The bundle: usr/local as make install lays it out, install.sh, a Makefile, a README.
bundle=$work/$name
./scripts/install.sh install --prefix /usr/local --destdir "$bundle" \
  --bin "$fyne_usr/bin/samo" --desktop "$fyne_usr/share/applications/$ID.desktop" >/dev/null
cp scripts/install.sh "$bundle/install.sh"
cat >"$bundle/Makefile" <<'EOF'
# SAMO for Linux. Install for every user (into /usr/local):
#   sudo make install            sudo make uninstall
# or for yourself only (into ~/.local):
#   make user-install            make user-uninstall
# PREFIX=DIR picks another folder; journals are never touched.
PREFIX ?= /usr/local
DESTDIR ?=

install:
	./install.sh install --prefix '$(PREFIX)' --destdir '$(DESTDIR)'
uninstall:
	./install.sh uninstall --prefix '$(PREFIX)' --destdir '$(DESTDIR)'
user-install:
	./install.sh install --prefix '$(HOME)/.local'
user-uninstall:
	./install.sh uninstall --prefix '$(HOME)/.local'

.PHONY: install uninstall user-install user-uninstall
EOF
cat >"$bundle/README.txt" <<EOF
SAMO $version for Linux ($arch): a private, offline voice journal.

It needs these Debian 12 (bookworm) packages, or their namesakes elsewhere:
  sudo apt-get install $RUNTIME_PACKAGES
(libasound2-plugins too, to record through PulseAudio or PipeWire.)

Install for every user:   sudo make install      (into /usr/local)
Or for yourself only:     make user-install      (into ~/.local)
SAMO then appears in the application menu. Remove it with sudo make uninstall
or make user-uninstall; your journal (~/.local/share/samo) stays.

Or run it in place: usr/local/bin/samo (it finds onnxruntime and the voice
activity model in usr/local/lib/samo beside it).
"samo doctor" says what it found.

Inside: onnxruntime $(sed -n 's/^ORT_VERSION=//p' scripts/deps.sh) (MIT, Microsoft),
the Silero VAD v5 model (MIT).
EOF
mkdir -p dist
out=dist/$name.tar.xz
tar -cJf "$out" -C "$work" "$name"
say "wrote $out ($(du -h "$out" | cut -f1))"

# 3. The check, on the bundle as a person unpacks it.
check=$work/check
mkdir -p "$check/unpacked" "$check/cwd" "$check/home"
tar -xJf "$out" -C "$check/unpacked"
usr=$check/unpacked/$name/usr/local
for f in "$usr/bin/samo" "$usr/lib/samo/libonnxruntime.so.1"; do
  if ldd "$f" | grep -q 'not found'; then
    ldd "$f" >&2
    die "$f: a library is missing (install: $RUNTIME_PACKAGES)"
  fi
done
for l in $DLOPENED; do
  ldconfig -p | awk -v l="$l" '$1 == l { found = 1 } END { exit !found }' || die "$l is missing (install: $RUNTIME_PACKAGES)"
done
if command -v desktop-file-validate >/dev/null 2>&1; then
  v=$(desktop-file-validate "$usr/share/applications/$ID.desktop" 2>&1) || true
  [ -z "$v" ] || die "the menu entry does not validate: $v"
fi
# (doctor exits 1 when a part is missing, a microphone say: its JSON tells.)
doctor=$(
  cd "$check/cwd" || exit
  env -i HOME="$check/home" LANG=C.UTF-8 PATH=/usr/bin:/bin \
    "$usr/bin/samo" --home "$check/home/journal" doctor --json 2>/dev/null || true
)
field() { printf '%s' "$doctor" | python3 -c "import json,sys; print(json.load(sys.stdin)$1)" 2>/dev/null || true; }
lib=$(field '["onnxruntime"].get("library","")')
vad=$(field '["vad_model"].get("path","")')
[ "$lib" = "$usr/lib/samo/libonnxruntime.so.1" ] || die "samo doctor found onnxruntime at '$lib', not in the bundle: $doctor"
[ "$vad" = "$usr/lib/samo/models/silero_vad_v5.onnx" ] || die "samo doctor found the VAD model at '$vad', not in the bundle: $doctor"
say "checked: every library resolves, and samo doctor finds onnxruntime and the VAD model inside the bundle"
