#!/bin/sh
# Packs a built ecs-iam as a release archive:
# OUTDIR/ecs-iam-VERSION-TARGET.tar.gz (.zip for Windows), holding the folder
# ecs-iam-VERSION-TARGET/ with the binary, README.md, docs/ and the licence and
# notice files (THIRD-PARTY-CRATES.yml: those of the crates linked into the
# binary). Run by .github/workflows/release.yml; scripts/install.sh and
# [package.metadata.binstall] in Cargo.toml read this layout, which
# tests/install.rs checks.
#
#   scripts/package.sh VERSION TARGET BINARY OUTDIR
set -eu

[ $# -eq 4 ] || {
    echo "usage: $0 VERSION TARGET BINARY OUTDIR" >&2
    exit 2
}
version=${1#v}
target=$2
binary=$3
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$4"
out=$(cd "$4" && pwd)
name=ecs-iam-$version-$target
case $target in
*windows*) bin=ecs-iam.exe ;;
*) bin=ecs-iam ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$stage/$name/$bin"
chmod 755 "$stage/$name/$bin"
# Each document is shipped when the revision has it.
for doc in README.md LICENSE LICENSE-MIT LICENSE-APACHE THIRD-PARTY-NOTICES.md THIRD-PARTY-CRATES.yml; do
    if [ -f "$root/$doc" ]; then
        cp "$root/$doc" "$stage/$name/"
    fi
done
# The manual the README links to.
if [ -d "$root/docs" ]; then
    mkdir "$stage/$name/docs"
    cp "$root"/docs/*.md "$stage/$name/docs/"
fi

# Relative names from inside $stage: Windows' own zippers do not read MSYS
# paths.
case $target in
*windows*)
    if command -v zip >/dev/null 2>&1; then
        (cd "$stage" && zip -qr "$name.zip" "$name")
    elif command -v 7z >/dev/null 2>&1; then
        (cd "$stage" && 7z a -bd -tzip "$name.zip" "$name" >/dev/null)
    else
        (cd "$stage" && powershell.exe -NoProfile -Command "Compress-Archive -Path '$name' -DestinationPath '$name.zip'")
    fi
    mv "$stage/$name.zip" "$out/"
    echo "$out/$name.zip"
    ;;
*)
    tar -czf "$out/$name.tar.gz" -C "$stage" "$name"
    echo "$out/$name.tar.gz"
    ;;
esac
