#!/usr/bin/env bash
# MPI ranks never outlive the job (issue 12): when rank 0 or the launcher
# dies, every rank stops within seconds and nothing more is written.
#   A. mpirun killed (SIGKILL);
#   B. rank 0 killed (SIGKILL);
#   C. rank 0 killed while mpirun is frozen (SIGSTOP), so mpirun cannot clean
#      up: only the ranks' own watchdog (rank 0's connection closing) stops them;
#   D. each rank's parent (a bash wrapper standing in for the launcher's
#      daemon) killed while mpirun is frozen: only the parent check stops them,
#      rank 0 included, and rank 0 leaves no half-written record.
# C and D fail without the watchdog (the ranks run on and rank 0 keeps
# writing). Release build only (timing); skips without mpirun, an MPI build
# or ../shared.
set -u
cli=${1:?usage: cli_mpi_watchdog.sh path/to/entropy-lens}
shared=$(cd "$(dirname "$0")/../../.." && pwd)/shared
[ -d "$shared" ] || { echo "SKIP: ../shared not found"; exit 77; }
command -v mpirun >/dev/null || { echo "SKIP: mpirun not installed"; exit 77; }
ldd "$cli" | grep -q libmpi || { echo "SKIP: entropy-lens built without MPI"; exit 77; }
ldd "$cli" | grep -q libasan && { echo "SKIP: sanitizer build (timing test)"; exit 77; }
tmp=$(mktemp -d)
mp=
cleanup() {
  [ -n "$mp" ] && { kill -CONT "$mp"; kill -9 "$mp"; } 2>/dev/null
  for p in $(cat "$tmp"/pids 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/in"
i=0
for n in $(seq 40); do for f in "$shared"/images/imagenet-sample/*.JPEG; do
  i=$((i + 1)); ln -s "$f" "$tmp/in/$(printf '%04d' $i).JPEG"; done; done
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
args=(profile "$tmp/in" --model "$shared/models/vit-tiny-patch16-224" --batch 2 --threads 1 -q)
fail=0
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
alive() { # pids given that are still running (not zombies)
  for p in "$@"; do s=$(ps -o stat= -p "$p" 2>/dev/null); [ -n "$s" ] && [ "${s#Z}" = "$s" ] && echo "$p"; done
}
# start NAME [wrap]: mpirun -np 3 in the background, sets $mp and $ranks
# (rank 0 first) once the output has 4 records.
start() {
  out=$tmp/$1.jsonl
  local cmd=("$cli" "${args[@]}" -o "$out")
  [ "${2:-}" = wrap ] && cmd=(bash -c '"$@"; exit $?' wrapper "${cmd[@]}")
  mpirun --allow-run-as-root --oversubscribe --bind-to none -np 3 "${cmd[@]}" 2>"$tmp/$1.err" &
  mp=$!
  for _ in $(seq 600); do [ "$(lines "$out")" -ge 4 ] && break; sleep 0.05; done
  kids=$(pgrep -P "$mp" | sort -n)
  if [ "${2:-}" = wrap ]; then ranks=$(for k in $kids; do pgrep -P "$k"; done); else ranks=$kids; fi
  echo $kids $ranks > "$tmp/pids"
  [ "$(echo $ranks | wc -w)" -eq 3 ] || { echo "FAIL: $1: expected 3 ranks, found '$ranks'"; fail=1; }
}
# settle NAME: within 5 s every rank has exited, then the output stays put.
settle() {
  for _ in $(seq 50); do [ -z "$(alive $ranks)" ] && break; sleep 0.1; done
  left=$(alive $ranks)
  [ -z "$left" ] || { echo "FAIL: $1: ranks still running 5 s later: $left"; fail=1; }
  local size
  size=$(stat -c %s "$out")
  sleep 1
  [ "$(stat -c %s "$out")" = "$size" ] || { echo "FAIL: $1: the output still grows"; fail=1; }
}
finish() { kill -CONT "$mp" 2>/dev/null; kill -9 "$mp" 2>/dev/null; wait "$mp" 2>/dev/null; mp=; }
whole() { [ -z "$(tail -c 1 "$out")" ] || { echo "FAIL: $1: half a record at the end"; fail=1; }; }

start A; kill -9 "$mp"; settle A; whole A; finish
start B; kill -9 $(echo $ranks | cut -d' ' -f1); settle B; finish
start C; kill -STOP "$mp"; kill -9 $(echo $ranks | cut -d' ' -f1); settle C; finish
start D wrap; kill -STOP "$mp"; kill -9 $kids; settle D; whole D; finish

# A normal run is not cut short by the watchdog (rank 0 leaves last or first).
mpirun --allow-run-as-root --oversubscribe --bind-to none -np 3 "$cli" profile "$shared"/images/photos \
  --model "$shared/models/vit-tiny-patch16-224" --batch 1 --threads 1 -q -o "$tmp/ok.jsonl"; code=$?
[ $code -eq 0 ] || { echo "FAIL: a normal 3-rank run exited $code"; fail=1; }
[ "$(lines "$tmp/ok.jsonl")" -eq "$(ls "$shared"/images/photos | wc -l)" ] || { echo "FAIL: normal run lost records"; fail=1; }

[ $fail -eq 0 ] && echo "cli_mpi_watchdog: all checks passed"
exit $fail
