#!/usr/bin/env bash
# Source this file: it puts Node 24 and the pinned pnpm first on PATH, installing them from the
# npm registry into .tools/ when the machine's own are missing or too old.
_kaiku_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_kaiku_tools="$_kaiku_root/.tools"
_kaiku_pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$_kaiku_root/package.json")"

_kaiku_node_major() { node --version 2>/dev/null | sed 's/^v\([0-9]*\).*/\1/'; }

if [ "$(_kaiku_node_major || echo 0)" -lt 24 ] 2>/dev/null || ! command -v node >/dev/null; then
  if [ ! -x "$_kaiku_tools/node/node_modules/.bin/node" ]; then
    echo "bootstrap: installing Node 24 into .tools/node" >&2
    npm i --silent --no-audit --no-fund --prefix "$_kaiku_tools/node" node@24 >&2
  fi
  export PATH="$_kaiku_tools/node/node_modules/.bin:$PATH"
fi

if [ "$(pnpm --version 2>/dev/null)" != "$_kaiku_pnpm_version" ]; then
  if [ ! -x "$_kaiku_tools/pnpm/node_modules/.bin/pnpm" ] ||
     [ "$("$_kaiku_tools/pnpm/node_modules/.bin/pnpm" --version)" != "$_kaiku_pnpm_version" ]; then
    echo "bootstrap: installing pnpm $_kaiku_pnpm_version into .tools/pnpm" >&2
    npm i --silent --no-audit --no-fund --prefix "$_kaiku_tools/pnpm" "pnpm@$_kaiku_pnpm_version" >&2
  fi
  export PATH="$_kaiku_tools/pnpm/node_modules/.bin:$PATH"
fi
unset -f _kaiku_node_major
