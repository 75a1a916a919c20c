#!/bin/sh
# Install a tamp release: the archive for this machine's OS and
# architecture, checked against the release's SHA256SUMS. The GitHub
# Action (action.yml) runs it; it runs anywhere with a POSIX sh, curl or
# wget, tar (unzip or PowerShell on Windows) and sha256sum, shasum or
# openssl.
#
#   TAMP_VERSION       1.2.3, v1.2.3, or latest (the default)
#   TAMP_RELEASES_URL  where the releases are (default
#                      https://github.com/tamp-ecs/tamp/releases): the
#                      files of version V are read from
#                      $TAMP_RELEASES_URL/download/vV/, and latest is the
#                      version $TAMP_RELEASES_URL/latest redirects to
#                      (.../tag/vV), as GitHub answers
#   TAMP_INSTALL_DIR   where the binary goes (default $HOME/.local/bin)
#   TAMP_OS, TAMP_ARCH the platform, when not this machine's
#
# Under GitHub Actions the directory is added to GITHUB_PATH for the
# steps after, and the version installed is written to GITHUB_OUTPUT.
set -eu

fail() {
	echo "install tamp: $*" >&2
	exit 1
}

releases=${TAMP_RELEASES_URL:-https://github.com/tamp-ecs/tamp/releases}
releases=${releases%/}
version=${TAMP_VERSION:-latest}
dir=${TAMP_INSTALL_DIR:-${HOME:?}/.local/bin}

# uname's names, Go's, and GitHub's runner.os and runner.arch.
want_os=${TAMP_OS:-$(uname -s)}
want_arch=${TAMP_ARCH:-$(uname -m)}
case $want_os in
Linux | linux) os=linux ;;
Darwin | darwin | macOS) os=darwin ;;
MINGW* | MSYS* | CYGWIN* | Windows* | windows) os=windows ;;
*) fail "no tamp release for the OS $want_os" ;;
esac
case $want_arch in
x86_64 | amd64 | X64 | x64) arch=amd64 ;;
aarch64 | arm64 | ARM64) arch=arm64 ;;
*) fail "no tamp release for the architecture $want_arch" ;;
esac
case $os/$arch in
linux/amd64 | linux/arm64 | darwin/amd64 | darwin/arm64 | windows/amd64) ;;
*) fail "no tamp release for $os/$arch; releases are for linux/amd64, linux/arm64, darwin/amd64, darwin/arm64 and windows/amd64" ;;
esac

# fetch URL FILE
fetch() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --retry 3 -o "$2" "$1" || fail "cannot download $1"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1" || fail "cannot download $1"
	else
		fail "need curl or wget to download $1"
	fi
}

# redirected URL: the address URL ends up at after its redirects.
redirected() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsSLI -o /dev/null -w '%{url_effective}' "$1"
	else
		wget -S --spider "$1" 2>&1 | sed -n 's/^ *[Ll]ocation: *//p' | tail -n 1 | tr -d '\r'
	fi
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | awk '{ print $1 }'
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | awk '{ print $1 }'
	elif command -v openssl >/dev/null 2>&1; then
		openssl dgst -sha256 -r "$1" | awk '{ print $1 }'
	else
		fail "need sha256sum, shasum or openssl to check the download"
	fi
}

if [ "$version" = latest ]; then
	url=$(redirected "$releases/latest") || fail "cannot find the latest release at $releases/latest"
	tag=${url##*/}
	case $tag in
	v[0-9]*) version=${tag#v} ;;
	*) fail "cannot tell the latest version from $releases/latest (it led to $url)" ;;
	esac
fi
version=${version#v}

archive=tamp_${version}_${os}_${arch}.tar.gz
bin=tamp
if [ "$os" = windows ]; then
	archive=tamp_${version}_${os}_${arch}.zip
	bin=tamp.exe
fi
base=$releases/download/v$version

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t tamp)
trap 'rm -rf "$tmp"' EXIT
fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS"
fetch "$base/$archive" "$tmp/$archive"

want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")
[ -n "$want" ] || fail "$archive is not listed in $base/SHA256SUMS"
got=$(sha256 "$tmp/$archive")
[ "$got" = "$want" ] || fail "$archive: checksum $got does not match $want from SHA256SUMS; not installed"

mkdir -p "$tmp/x"
if [ "$os" = windows ]; then
	if command -v unzip >/dev/null 2>&1; then
		unzip -q -o "$tmp/$archive" "$bin" -d "$tmp/x"
	else
		# PowerShell takes Windows paths, not Git Bash's /tmp/...
		win=$tmp
		if command -v cygpath >/dev/null 2>&1; then
			win=$(cygpath -w "$tmp")
		fi
		powershell -NoProfile -Command "Expand-Archive -Force -LiteralPath '$win/$archive' -DestinationPath '$win/x'"
	fi
else
	tar -xzf "$tmp/$archive" -C "$tmp/x" "$bin"
fi
[ -f "$tmp/x/$bin" ] || fail "$archive holds no $bin"

mkdir -p "$dir"
chmod 755 "$tmp/x/$bin"
# Moved in whole so a running tamp is never overwritten in place.
cp "$tmp/x/$bin" "$dir/.$bin.new"
mv -f "$dir/.$bin.new" "$dir/$bin"
if [ -z "${TAMP_OS:-}${TAMP_ARCH:-}" ]; then
	"$dir/$bin" version || fail "$dir/$bin does not run"
fi

if [ -n "${GITHUB_PATH:-}" ]; then
	echo "$dir" >>"$GITHUB_PATH"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	echo "version=$version" >>"$GITHUB_OUTPUT"
fi
echo "installed tamp $version ($os/$arch) in $dir"
