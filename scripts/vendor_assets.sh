#!/usr/bin/env bash
# Refreshes the front-end files committed under static/vendor/ from the npm registry.
# Run by a maintainer when upgrading; nothing at run time needs Node or the network.
set -euo pipefail
cd "$(dirname "$0")/.."
BOOTSTRAP_VERSION=${BOOTSTRAP_VERSION:-5.3.9}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "bootstrap@${BOOTSTRAP_VERSION}" >/dev/null && tar xzf bootstrap-*.tgz)
dest=static/vendor/bootstrap
rm -rf "$dest" && mkdir -p "$dest/css" "$dest/js"
cp "$work/package/dist/css/bootstrap.min.css" "$dest/css/"
cp "$work/package/dist/js/bootstrap.bundle.min.js" "$dest/js/"
cp "$work/package/LICENSE" "$dest/LICENSE"
echo "$BOOTSTRAP_VERSION" > "$dest/VERSION"
# The source-map comments point at files we do not ship; drop them so no 404 is requested.
sed -i '/sourceMappingURL/d' "$dest/css/bootstrap.min.css" "$dest/js/bootstrap.bundle.min.js"
echo "static/vendor/bootstrap now holds Bootstrap ${BOOTSTRAP_VERSION}"
