#!/bin/sh
# Installs a released ecs-iam binary: downloads this machine's archive and
# the release's SHA256SUMS, checks the archive's SHA-256 against it, and
# only then puts the binary in place. Used by action.yml; tested by
# tests/install.rs.
#
#   scripts/install.sh DIR        install ecs-iam as DIR/ecs-iam
#   scripts/install.sh --version  print the version it installs
#   scripts/install.sh --target   print this machine's release target
#
# ECS_IAM_VERSION       the release (`0.2.0` or `v0.2.0`); default: the
#                       version in the Cargo.toml beside this script, so a
#                       revision installs the release it is
# ECS_IAM_TARGET        the target triple; default: this machine's
# ECS_IAM_DOWNLOAD_URL  where the release's files are; default:
#                       https://github.com/ecs-iam/ecs-iam/releases/download/v<version>
set -eu

releases=https://github.com/ecs-iam/ecs-iam/releases/download

fail() {
    echo "error: installing ecs-iam: $*" >&2
    exit 1
}

version() {
    if [ -n "${ECS_IAM_VERSION:-}" ]; then
        echo "${ECS_IAM_VERSION#v}"
        return
    fi
    manifest="$(dirname "$0")/../Cargo.toml"
    [ -f "$manifest" ] || fail "no \`$manifest\` to read the version from; set ECS_IAM_VERSION"
    # The `version` key of the [package] table, not a dependency's.
    found=$(awk -F'"' '/^\[/ { package = ($0 == "[package]") } package && /^version *=/ { print $2; exit }' "$manifest")
    [ -n "$found" ] || fail "\`$manifest\` names no package version; set ECS_IAM_VERSION"
    echo "$found"
}

target() {
    if [ -n "${ECS_IAM_TARGET:-}" ]; then
        echo "$ECS_IAM_TARGET"
        return
    fi
    os=$(uname -s)
    arch=$(uname -m)
    case $arch in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) fail "no release is built for the \`$arch\` processor; build it with \`cargo install --locked ecs-iam\`" ;;
    esac
    case $os in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) echo "x86_64-pc-windows-gnu" ;;
    *) fail "no release is built for \`$os\`; build it with \`cargo install --locked ecs-iam\`" ;;
    esac
}

download() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget --quiet --tries=3 --output-document="$2" "$1"
    else
        fail "neither curl nor wget is installed"
    fi
}

sha256() { # FILE
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1"
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1"
    else
        openssl dgst -sha256 -r "$1"
    fi | cut -d' ' -f1 | tr 'A-F' 'a-f'
}

case ${1:-} in
--version)
    version
    exit
    ;;
--target)
    target
    exit
    ;;
'' | -*)
    echo "usage: $0 DIR | --version | --target" >&2
    exit 2
    ;;
esac
dir=$1
version=$(version)
target=$(target)
case $target in
*windows*) extension=zip bin=ecs-iam.exe ;;
*) extension=tar.gz bin=ecs-iam ;;
esac
name=ecs-iam-$version-$target
archive=$name.$extension
url=${ECS_IAM_DOWNLOAD_URL:-$releases/v$version}
url=${url%/}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

download "$url/SHA256SUMS" "$tmp/SHA256SUMS" ||
    fail "could not download \`$url/SHA256SUMS\`; is v$version released?"
# `sha256sum` writes `HASH  NAME`, or `HASH *NAME` in binary mode.
expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print tolower($1); exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || fail "\`$url/SHA256SUMS\` lists no \`$archive\`: v$version has no build for $target; nothing installed"
download "$url/$archive" "$tmp/$archive" ||
    fail "could not download \`$url/$archive\`; nothing installed"
actual=$(sha256 "$tmp/$archive")
[ "$actual" = "$expected" ] ||
    fail "checksum mismatch: \`$archive\` has SHA-256 $actual, but SHA256SUMS says $expected; nothing installed"

# Relative names from inside $tmp: Windows' own unzippers do not read MSYS paths.
mkdir "$tmp/unpacked"
case $extension in
zip)
    if command -v unzip >/dev/null 2>&1; then
        (cd "$tmp" && unzip -q "$archive" -d unpacked)
    elif command -v 7z >/dev/null 2>&1; then
        (cd "$tmp" && 7z x -bd -ounpacked "$archive" >/dev/null)
    else
        (cd "$tmp" && powershell.exe -NoProfile -Command "Expand-Archive -LiteralPath '$archive' -DestinationPath unpacked")
    fi
    ;;
*) tar -xzf "$tmp/$archive" -C "$tmp/unpacked" ;;
esac || fail "could not unpack \`$archive\`; nothing installed"
[ -f "$tmp/unpacked/$name/$bin" ] || fail "\`$archive\` holds no \`$name/$bin\`; nothing installed"

# Copied beside the destination, then renamed over it: a running ecs-iam is
# never half overwritten.
mkdir -p "$dir"
cp "$tmp/unpacked/$name/$bin" "$dir/.$bin.partial"
chmod 755 "$dir/.$bin.partial"
mv -f "$dir/.$bin.partial" "$dir/$bin"
echo "installed ecs-iam $version ($target) as $dir/$bin ($archive matches SHA256SUMS)"
