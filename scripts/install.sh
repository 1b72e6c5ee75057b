#!/usr/bin/env bash
# install.sh installs SAMO like a desktop application, or removes it again:
#
#   PREFIX/bin/samo                                        the program
#   PREFIX/lib/samo/libonnxruntime.so.1                    onnxruntime 1.30.0
#   PREFIX/lib/samo/models/silero_vad_v5.onnx              the Silero VAD model
#   PREFIX/share/applications/app.samo.journal.desktop     the menu entry (Exec is PREFIX/bin/samo)
#   PREFIX/share/icons/hicolor/SIZE/apps/app.samo.journal.png
#
# SAMO finds its library and model relative to its own folder
# (inference.InstallLibDir, inference.InstallModelDir), so it runs from any
# folder. (PREFIX/share/samo is left alone: with the default PREFIX that is
# where the journal lives.) `make install` and `make uninstall` call this script, and so does
# the Makefile inside the Linux bundle of `make package`.
#
# Usage: install.sh [install|uninstall] [--prefix DIR] [--destdir DIR]
#                   [--bin FILE] [--ort-lib FILE] [--vad-model FILE]
#                   [--icon FILE] [--desktop FILE]
# PREFIX and DESTDIR may also come from the environment; PREFIX defaults to
# ~/.local. DESTDIR stages the files for a package: they go to
# DESTDIR/PREFIX/..., and the menu entry still says PREFIX/bin/samo.
# The files default to those of a built source tree (bin/samo, .cache/,
# assets/icon.png, packaging/linux/) or, beside an unpacked bundle's usr/local,
# to the bundle's.
set -euo pipefail

ID=app.samo.journal
here=$(cd "$(dirname "$0")" && pwd)

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

if [ -x "$here/usr/local/bin/samo" ]; then # the bundle of make package
  src=$here/usr/local
  bin=$src/bin/samo
  ort=$src/lib/samo/libonnxruntime.so.1
  vad=$src/lib/samo/models/silero_vad_v5.onnx
  icon=$src/share/icons/hicolor/256x256/apps/$ID.png
  desktop=$src/share/applications/$ID.desktop
else # the source tree
  root=$(cd "$here/.." && pwd)
  bin=$root/bin/samo
  ort=$root/.cache/lib/libonnxruntime.so.1
  vad=$root/.cache/models/silero_vad_v5.onnx
  icon=$root/assets/icon.png
  desktop=$root/packaging/linux/$ID.desktop
fi

action=install
prefix=${PREFIX:-$HOME/.local}
destdir=${DESTDIR:-}
while (($#)); do
  case $1 in
    install | uninstall) action=$1 ;;
    --prefix) prefix=${2:?--prefix needs a folder}; shift ;;
    --destdir) destdir=${2-}; shift ;;
    --bin) bin=${2:?}; shift ;;
    --ort-lib) ort=${2:?}; shift ;;
    --vad-model) vad=${2:?}; shift ;;
    --icon) icon=${2:?}; shift ;;
    --desktop) desktop=${2:?}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

# The menu entry names the installed binary by its absolute path, so PREFIX
# must be absolute; a relative one is taken from the current folder.
case $prefix in
  /*) ;;
  *) prefix=$(pwd)/$prefix ;;
esac
prefix=${prefix%/}
root_dir=$destdir$prefix

bindir=$root_dir/bin
libdir=$root_dir/lib/samo
modeldir=$root_dir/lib/samo/models
appdir=$root_dir/share/applications
icondir=$root_dir/share/icons/hicolor

# refresh updates the menu and icon caches of a live install (not a staged
# one); desktops without these tools read the folders directly.
refresh() {
  [ -z "$destdir" ] || return 0
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$appdir" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icondir/index.theme" ]; then
    gtk-update-icon-cache -q -t "$icondir" 2>/dev/null || true
  fi
}

if [ "$action" = uninstall ]; then
  rm -f "$bindir/samo" "$libdir/libonnxruntime.so.1" "$modeldir/silero_vad_v5.onnx" "$appdir/$ID.desktop"
  rm -f "$icondir"/*/apps/"$ID.png"
  rmdir "$modeldir" "$libdir" 2>/dev/null || true
  refresh
  say "removed SAMO from $root_dir (journals are kept)"
  exit 0
fi

for f in "$bin" "$ort" "$vad" "$icon" "$desktop"; do
  [ -f "$f" ] || die "$f is missing (run make build, or make deps for .cache/)"
done

# The icon goes in the folder of its size, read from the PNG header.
size=$(od -An -tu1 -j16 -N8 "$icon" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }')
case $size in
  16x16 | 22x22 | 24x24 | 32x32 | 48x48 | 64x64 | 128x128 | 256x256 | 512x512) ;;
  *) die "$icon is $size; the icon theme wants a square PNG of 16 to 512 pixels" ;;
esac

install -Dm755 "$bin" "$bindir/samo"
install -Dm644 "$ort" "$libdir/libonnxruntime.so.1"
install -Dm644 "$vad" "$modeldir/silero_vad_v5.onnx"
install -Dm644 "$icon" "$icondir/$size/apps/$ID.png"

# Exec: the installed binary by its absolute path (quoted when it holds a
# space), so the menu entry works whether or not PREFIX/bin is on PATH.
exe=$prefix/bin/samo
case $exe in
  *[[:space:]]*) exe="\"$exe\"" ;;
esac
mkdir -p "$appdir"
awk -v exe="$exe" -v icon="$ID" '
  /^Exec=/ { sub(/^Exec=[^ ]*/, ""); print "Exec=" exe $0; next }
  /^TryExec=/ { next }
  /^Icon=/ { print "Icon=" icon; next }
  { print }
' "$desktop" >"$appdir/$ID.desktop.partial"
chmod 644 "$appdir/$ID.desktop.partial"
mv -f "$appdir/$ID.desktop.partial" "$appdir/$ID.desktop"
refresh

say "installed SAMO in $root_dir"
say "  $bindir/samo, $libdir/, $modeldir/"
say "  menu entry $appdir/$ID.desktop"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) [ -n "$destdir" ] || say "$prefix/bin is not on PATH: the menu entry works; to type samo, add it to PATH" ;;
esac
