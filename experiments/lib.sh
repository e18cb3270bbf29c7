# Shared by the experiment scripts (sourced, not run). Each script is one
# command: it writes its prompts/records/figures/numbers into --out DIR and
# prints the numbers. Options every script takes:
#   --out DIR     where everything goes (default: experiments/out/NAME)
#   --tiny        a few inputs and tokens: seconds, for the ctest that keeps
#                 the scripts from rotting (numbers meaningless)
#   --model PATH  the model (family.sh: repeat it, one per family)
# The binary: $EL_BIN, else build/entropy-lens of this checkout.
set -euo pipefail
EXP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EL=${EL_BIN:-$EXP_ROOT/build/entropy-lens}
[ -x "$EL" ] || { echo "experiments: $EL not found (build first: scripts/build.sh release, or set EL_BIN)" >&2; exit 2; }
TINY=0
OUT=""
MODELS=()
IMAGES=""
LABELS=""
EXTRA_ARGS=()

exp_parse() { # NAME "$@"
    local name=$1
    shift
    while [ $# -gt 0 ]; do
        case $1 in
        --tiny) TINY=1 ;;
        --out) OUT=$2; shift ;;
        --model) MODELS+=("$2"); shift ;;
        --images) IMAGES=$2; shift ;;
        --labels) LABELS=$2; shift ;;
        -h | --help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) EXTRA_ARGS+=("$1") ;;
        esac
        shift
    done
    OUT=${OUT:-$EXP_ROOT/experiments/out/$name}
    mkdir -p "$OUT"
    echo "== $name: output in $OUT" >&2
}

# The model's context length (from `entropy-lens info`).
exp_context() {
    "$EL" info --model "$1" | sed -n 's/.*context \([0-9][0-9]*\).*/\1/p' | head -n 1
}

# A JSON string literal of $1 (backslash, quote, control characters escaped).
exp_json_str() {
    printf '%s' "$1" | awk 'BEGIN { ORS = "" } {
        gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "");
        if (NR > 1) print "\\n"; print }' | { printf '"'; cat; printf '"'; }
}

# Runs an analysis command, its table into OUT/NAME.txt and onto stdout.
exp_table() { # NAME command args...
    local name=$1
    shift
    echo "-- $name: entropy-lens $*" | tee "$OUT/$name.txt"
    if "$EL" "$@" >>"$OUT/$name.txt" 2>"$OUT/$name.err"; then cat "$OUT/$name.txt" | sed 1d
    else echo "   (not run: $(tail -n 1 "$OUT/$name.err"))" | tee -a "$OUT/$name.txt"; fi
}

# `profile` of the image folder IMAGES (default samples/images) through MODEL
# (default the sample fashion-vit) into OUT/records.jsonl, with --labels.
exp_profile_images() {
    MODEL=${MODELS[0]:-$EXP_ROOT/samples/models/fashion-vit}
    IMAGES=${IMAGES:-$EXP_ROOT/samples/images}
    local args=(--model "$MODEL" -q -o "$OUT/records.jsonl")
    [ -n "$LABELS" ] && args+=(--labels "$LABELS")
    "$EL" profile "$IMAGES" "${args[@]}"
}

# Folds for a correctness run: 10, or the smaller of the right and wrong
# counts of OUT/records.jsonl when fewer (at least 2). Sets RIGHT, WRONG, FOLDS.
exp_correct_folds() {
    RIGHT=$(grep -c '"correct":true' "$OUT/records.jsonl" || true)
    WRONG=$(grep -c '"correct":false' "$OUT/records.jsonl" || true)
    local min=$((RIGHT < WRONG ? RIGHT : WRONG))
    FOLDS=10
    [ $min -lt $FOLDS ] && FOLDS=$((min < 2 ? 2 : min))
    return 0
}

# `entropy-lens text ...`: exit 1 (some prompts failed: their records hold
# `error`, e.g. a prompt too long for the context) is reported, not fatal.
exp_text() {
    local rc=0
    "$EL" text "$@" || rc=$?
    [ $rc -eq 1 ] && echo "   note: some prompts failed (records with \"error\"); the analysis skips them" >&2
    [ $rc -le 1 ]
}

# Records of several models (one file each) compared on the paper's l/L axis:
# the profile plot by model (OUT/profiles.png, titled $1), and with two or
# more files classify --by model and a t-SNE map, profiles resampled onto 32
# points along l/L.
exp_compare_models() { # title files...
    local title=$1 k=29 folds=10
    shift
    [ $TINY = 1 ] && k=3 folds=2
    "$EL" plot "$@" --by model --overlay --depth-axis fraction --title "$title" -o "$OUT/profiles.png"
    if [ $# -ge 2 ]; then
        exp_table classify_model classify "$@" --by model --depth resample:32 --depth-axis fraction --k $k --folds $folds
        "$EL" embed "$@" --by model --method tsne --depth resample:32 --depth-axis fraction -o "$OUT/tsne.png" 2>/dev/null
        echo "figures: $OUT/profiles.png $OUT/tsne.png"
    else
        echo "one model only: no classify / t-SNE (give --model once per model)"
        echo "figure: $OUT/profiles.png"
    fi
}
