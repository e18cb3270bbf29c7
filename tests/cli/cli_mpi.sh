#!/usr/bin/env bash
# MPI: mpirun -np 2 and -np 3 write a file byte-identical to the
# single-process run (same batch size and threads per rank); a rank killed
# mid-way ends the job with an error, and --resume then completes the file
# without duplicates or losses. Loopback only. Skips without mpirun or an MPI
# build, or without ../shared.
set -u
cli=${1:?usage: cli_mpi.sh path/to/entropy-lens}
shared=$(cd "$(dirname "$0")/../../.." && pwd)/shared
[ -d "$shared" ] || { echo "SKIP: ../shared not found"; exit 77; }
command -v mpirun >/dev/null || { echo "SKIP: mpirun not installed"; exit 77; }
ldd "$cli" | grep -q libmpi || { echo "SKIP: entropy-lens built without MPI"; exit 77; }
model=$shared/models/vit-tiny-patch16-224
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/in"
i=0
for n in 1 2; do for f in "$shared"/images/imagenet-sample/*.JPEG "$shared"/images/photos/*; do
  i=$((i + 1)); ln -s "$f" "$tmp/in/$(printf '%04d' $i).${f##*.}"; done; done
echo "not an image" > "$tmp/in/0000.jpg"   # an error record must travel too
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
mpi() { mpirun --allow-run-as-root --oversubscribe --bind-to none -np "$@"; }
fail=0
args=(profile "$tmp/in" --model "$model" --batch 3 --threads 1 -q)
"$cli" "${args[@]}" -o "$tmp/one.jsonl"; [ $? -eq 1 ] || { echo "FAIL: single run should report the bad file (exit 1)"; fail=1; }
for np in 2 3; do
  mpi $np "$cli" "${args[@]}" -o "$tmp/np$np.jsonl"; code=$?
  [ $code -eq 1 ] || { echo "FAIL: np=$np exit $code"; fail=1; }
  cmp -s "$tmp/one.jsonl" "$tmp/np$np.jsonl" || { echo "FAIL: np=$np output differs from single process"; fail=1; }
done
# CSV as well.
"$cli" "${args[@]}" --format csv -o "$tmp/one.csv"
mpi 3 "$cli" "${args[@]}" --format csv -o "$tmp/np3.csv"
cmp -s "$tmp/one.csv" "$tmp/np3.csv" || { echo "FAIL: np=3 CSV differs"; fail=1; }

# Kill one rank (not rank 0) mid-way: the job must end with an error.
mpi 3 "$cli" "${args[@]}" -o "$tmp/k.jsonl" 2>"$tmp/err" & mpid=$!
total=$(wc -l < "$tmp/one.jsonl")
while [ "$(lines "$tmp/k.jsonl")" -lt 6 ]; do sleep 0.05; done
victim=$(pgrep -f "entropy-lens profile $tmp/in" | sort -n | tail -1)
kill -9 "$victim"
wait $mpid; code=$?
[ $code -ne 0 ] || { echo "FAIL: job with a killed rank exited 0"; fail=1; }
got=$(wc -l < "$tmp/k.jsonl")
[ "$got" -lt "$total" ] || echo "note: the job finished before the kill landed"
[ -z "$(tail -c 1 "$tmp/k.jsonl")" ] || { echo "FAIL: partial record after a killed rank"; fail=1; }
mpi 2 "$cli" "${args[@]}" -o "$tmp/k.jsonl" --resume; code=$?
[ $code -eq 0 ] || [ $code -eq 1 ] || { echo "FAIL: resume exit $code"; fail=1; }
cmp -s "$tmp/one.jsonl" "$tmp/k.jsonl" || { echo "FAIL: resumed MPI file differs from single process"; fail=1; }

# Text prompts distributed the same way.
printf '{"prompt":"Echoes of","label":"a"}\n{"prompt":"The sky","label":"b"}\n{"prompt":"I dream of","label":"a"}\nnot json\n{"prompt":"Once upon a time","label":"b"}\n' > "$tmp/p.jsonl"
targs=(text --model "$shared/models/aidreams260K/aidreams260K.bin" --prompts "$tmp/p.jsonl" -n 8 --batch 2 --threads 1 -q)
"$cli" "${targs[@]}" -o "$tmp/t1.jsonl"
mpi 3 "$cli" "${targs[@]}" -o "$tmp/t3.jsonl"
cmp -s "$tmp/t1.jsonl" "$tmp/t3.jsonl" || { echo "FAIL: text np=3 differs"; fail=1; }

[ $fail -eq 0 ] && echo "cli_mpi: all checks passed"
exit $fail
