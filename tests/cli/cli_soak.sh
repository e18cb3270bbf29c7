#!/usr/bin/env bash
# Soak test of interruption and --resume (issue 12): `profile` and `text`
# runs, JSONL and CSV, are killed with SIGKILL or SIGINT at random moments
# (during start-up, model loading, mid-batch, mid-write), resumed with
# --resume, possibly killed again, and finally resumed to the end; the file
# must then be byte-identical to an uninterrupted run: 0 records lost, 0
# duplicated, every value identical.
#
#   EL_SOAK_KILLS=N   kills in all (default 10; docs/hostile-input.md records a 50-kill run)
#   EL_SOAK_SEED=S    random seed (default: from the clock; printed, so a failure can be replayed)
#   EL_SOAK_KEEP=DIR  keep the files of a failed trial there
#
# Configurations, taken in turn: profile --batch 4 (JSONL, CSV), text
# --batch 1 (JSONL, CSV) and text --batch 3 (JSONL). Every trial also holds
# one bad input (an error record must survive resume too). Uses the committed
# fixtures and the sample GPT-2 only.
set -u
cli=${1:?usage: cli_soak.sh path/to/entropy-lens}
root=$(cd "$(dirname "$0")/../.." && pwd)
kills=${EL_SOAK_KILLS:-10}
seed=${EL_SOAK_SEED:-$(( $(date +%s%N) % 32768 ))}
RANDOM=$seed
echo "cli_soak: $kills kills, seed $seed (EL_SOAK_SEED=$seed replays it)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Background jobs of a script start with SIGINT ignored; job control gives
# them the default, as a run started from a terminal has.
set -m

# 1200 images: the fixture PNGs and JPEGs in turn, and one that is not an image.
src=$root/tests/fixtures/imageio/src
mkdir -p "$tmp/in"
imgs=("$src"/*.png "$src"/*.jpg)
for i in $(seq 0 1199); do f=${imgs[$((i % ${#imgs[@]}))]}; ln -s "$f" "$tmp/in/$(printf %04d $i).${f##*.}"; done
rm "$tmp/in/0600.png"; echo "not an image" > "$tmp/in/0600.png" # (not through the link)
# 48 prompts with labels, one line that is not JSON.
for i in $(seq 1 48); do
  if [ "$i" = 20 ]; then echo "not json"; else echo "{\"prompt\":\"Prompt $i: once there was a\",\"label\":\"l$((i % 3))\"}"; fi
done > "$tmp/p.jsonl"
vit=$root/tests/fixtures/tiny/vit-hf-f32
lm=$root/samples/models/fortune-gpt2
configs=("profile jsonl 4" "profile csv 4" "text jsonl 1" "text csv 1" "text jsonl 3")
cmd() { # cmd KIND FORMAT BATCH: the command line of a configuration
  if [ "$1" = profile ]; then
    echo "$cli" profile "$tmp/in" --model "$vit" --batch "$3" --threads 1 -q --format "$2"
  else
    echo "$cli" text --model "$lm" --prompts "$tmp/p.jsonl" -n 24 --batch "$3" --threads 1 -q --format "$2"
  fi
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
declare -A ref dur
fail=0
for c in "${configs[@]}"; do
  set -- $c
  t0=$(now_ms)
  $(cmd "$@") -o "$tmp/ref.$1.$2.$3" </dev/null; code=$?
  dur[$c]=$(( $(now_ms) - t0 ))
  ref[$c]=$tmp/ref.$1.$2.$3
  [ $code -eq 1 ] || { echo "FAIL: reference run '$c' exited $code (want 1: one bad input)"; fail=1; }
done

# report C OUT: what differs between the reference and a resumed file.
report() {
  local want=${ref[$1]} got=$2
  echo "  reference $(grep -c '^' "$want") lines, resumed $(grep -c '^' "$got") lines;" \
       "lines missing: $(sort "$want" | comm -23 - <(sort "$got") | wc -l)," \
       "extra: $(sort "$got" | comm -13 <(sort "$want") - | wc -l)," \
       "duplicated: $(sort "$got" | uniq -d | wc -l)"
  diff "$want" "$got" | head -4 | cut -c1-200
  if [ -n "${EL_SOAK_KEEP:-}" ]; then mkdir -p "$EL_SOAK_KEEP"; cp "$got" "$EL_SOAK_KEEP/"; cp "$want" "$EL_SOAK_KEEP/"; fi
}

landed=0 trials=0 ci=0 signals=(KILL INT)
exec 3>&2 2>"$tmp/shell.err" # the shell's "Killed" job notices
while [ $landed -lt "$kills" ]; do
  c=${configs[$((ci % ${#configs[@]}))]}; ci=$((ci + 1))
  set -- $c
  out=$tmp/out.$1.$2.$3
  rm -f "$out"
  trials=$((trials + 1))
  log=""
  # One to three kills in this trial, then a run to the end.
  for _ in $(seq $((1 + RANDOM % 3))); do
    [ $landed -lt "$kills" ] || break
    sig=${signals[$((RANDOM % 2))]}
    delay=$(( RANDOM % (dur[$c] * 9 / 10 + 1) ))
    $(cmd "$@") -o "$out" --resume </dev/null 2>>"$tmp/err" & pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    if kill -s "$sig" $pid 2>/dev/null; then
      wait $pid; code=$?
      log="$log $sig@${delay}ms->$code"
      # 130: SIGINT (handler or default); 137: SIGKILL; 0/1: it finished first.
      case $code in 130|137) landed=$((landed + 1)) ;; 0|1) ;; *) echo "FAIL: '$c': exit $code after SIG$sig"; fail=1 ;; esac
    else
      wait $pid
    fi
  done
  $(cmd "$@") -o "$out" --resume </dev/null 2>>"$tmp/err"; code=$?
  # 0 when the bad input's error record was written before the last kill.
  [ $code -le 1 ] || { echo "FAIL: '$c': final resume exited $code;$log"; tail -3 "$tmp/err"; fail=1; }
  if ! cmp -s "${ref[$c]}" "$out"; then
    echo "FAIL: '$c' after$log: resumed file differs from the uninterrupted run (seed $seed)"
    report "$c" "$out"
    fail=1
  fi
done
exec 2>&3
if grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$tmp/err"; then echo "FAIL: sanitizer report"; fail=1; fi
echo "cli_soak: $landed kills landed in $trials trials"
[ $fail -eq 0 ] && echo "cli_soak: all checks passed"
exit $fail
