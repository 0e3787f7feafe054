#!/usr/bin/env bash
# Install Leaflet and Leaflet.markercluster under static/vendor from the npm registry, checked
# against pinned sha256, so maps draw without a CDN. Idempotent.
set -euo pipefail
dest="${1:-static/vendor}"
declare -A pins=(
  [leaflet@1.9.4]=84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77
  [leaflet.markercluster@1.5.3]=fc6b0b1d00b6c708ae54e43ee4a11ac345e41660e19f0a570190bb35babb1a1c
)
if [ -f "$dest/leaflet/leaflet.js" ] && [ -f "$dest/leaflet.markercluster/leaflet.markercluster.js" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm tidak ditemukan: pasang Node.js/npm (apt-get install npm) untuk peta luring." >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for spec in "${!pins[@]}"; do
  name=${spec%@*}
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tgz=$(ls "$tmp"/"$name"-[0-9]*.tgz)
  echo "${pins[$spec]}  $tgz" | sha256sum --check --quiet
  mkdir -p "$tmp/$name" "$dest/$name"
  tar -xzf "$tgz" -C "$tmp/$name"
  cp -r "$tmp/$name/package/dist/." "$dest/$name/"
  rm -f "$dest/$name"/*.map
done
echo "Leaflet terpasang di $dest"
