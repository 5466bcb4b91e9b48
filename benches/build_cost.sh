#!/usr/bin/env bash
# Build cost of the derive: the clean build time of kvstats-derive (with its
# syn/quote/proc-macro2), and the time `cargo check` spends on a crate with
# 20 derived structs against the same crate without the derive.
#
# Usage: bash benches/build_cost.sh   (from the workspace root; takes a few minutes)
set -euo pipefail
shopt -s inherit_errexit
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() { # seconds <command...>: wall time of the command, in seconds
  local start end ns
  start=$(date +%s%N)
  if ! "$@" >"$work/last.log" 2>&1; then
    cat "$work/last.log" >&2
    echo "failed: $*" >&2
    exit 1
  fi
  end=$(date +%s%N)
  ns=$((end - start))
  printf '%d.%02d' $((ns / 1000000000)) $((ns / 10000000 % 100))
}

echo "clean build of kvstats-derive (debug, as proc macros are built for check):"
took=$(CARGO_TARGET_DIR="$work/target-derive" seconds cargo build -q --manifest-path "$root/Cargo.toml" -p kvstats-derive)
echo "  $took s"

# A crate of 20 stats structs of 10 fields each; with and without the derive.
make_crate() { # make_crate <dir> <derive: yes|no>
  local dir=$1 derive=$2
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "$(basename "$dir")"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
kvstats-core = { path = "$root/kvstats-core", default-features = false, features = ["derive"] }
[workspace]
TOML
  {
    echo "#![allow(dead_code)]"
    for s in $(seq 1 20); do
      if [ "$derive" = yes ]; then
        echo "#[derive(Debug, Default, kvstats_core::PromGauges)]"
        echo "#[prom(prefix = \"s$s\")]"
      else
        echo "#[derive(Debug, Default)]"
      fi
      echo "pub struct Stats$s {"
      for f in $(seq 1 10); do
        echo "    /// Field $f of struct $s"
        echo "    pub field_$f: u64,"
      done
      echo "}"
    done
  } >"$dir/src/lib.rs"
}

for variant in with_derive without_derive; do
  dir="$work/$variant"
  make_crate "$dir" "$([ $variant = with_derive ] && echo yes || echo no)"
  # Build the dependencies once; then time only the crate itself.
  CARGO_TARGET_DIR="$work/target-check" cargo check -q --manifest-path "$dir/Cargo.toml"
  touch "$dir/src/lib.rs"
  took=$(CARGO_TARGET_DIR="$work/target-check" seconds cargo check -q --manifest-path "$dir/Cargo.toml")
  echo "cargo check of 20 structs x 10 fields, $variant: $took s"
done
