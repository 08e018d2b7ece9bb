#!/usr/bin/env bash
# make test-browser-stress: every browser test, COUNT times (20) under the
# race detector, while LOAD busy loops (one per core) keep the machine
# loaded, as CI's shared machine may be. It prints each test's pass count
# and exits non-zero unless every run of every test passed.
#
# A browser test is a test function that starts Chromium: it calls
# webtest.Start or servertest.NewOfficeUI (the office browser), itself or
# through the office tests' surveyPages. RUN, a
# regular expression, keeps only the tests whose names match it.
#
#   make test-browser-stress                    # all of them, 20 times each
#   COUNT=5 RUN=Tablet make test-browser-stress # the tablet's, 5 times
set -euo pipefail
cd "$(dirname "$0")/../../.."

COUNT="${COUNT:-20}"
LOAD="${LOAD:-$(nproc)}"
RUN="${RUN:-.}"
export CI="${CI:-true}" # a missing Chromium fails rather than skips

# pkg TestName, one a line, for every browser test under internal/.
tests() {
  for f in $(grep -rlE 'webtest\.Start\(|[nN]ewOfficeUI\(|surveyPages\(t|= Start\(t\)' --include='*_test.go' internal); do
    awk -v pkg="./$(dirname "$f")/" '
      /^func Test[A-Za-z0-9_]*\(t \*testing\.T\)/ { name = $2; sub(/\(.*/, "", name) }
      /^}/ { name = "" }
      name != "" && /webtest\.Start\(|[nN]ewOfficeUI\(|surveyPages\(t|= Start\(t\)/ { print pkg, name; name = "" }
    ' "$f"
  done | sort -u | awk -v re="$RUN" '$2 ~ re'
}

list=$(tests)
if [ -z "$list" ]; then
  echo "stress: no browser test matches RUN=$RUN" >&2
  exit 1
fi

pids=()
stop_load() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_load EXIT
trap "exit 130" INT TERM
for _ in $(seq 1 "$LOAD"); do
  yes >/dev/null &
  pids+=("$!")
done

echo "stress: $(echo "$list" | wc -l) browser tests × $COUNT under -race, $LOAD busy loops on $(nproc) cores"
out=$(mktemp -d)
failed=0
while read -r pkg name; do
  log="$out/$name.log"
  start=$(date +%s)
  go test -race -count="$COUNT" -timeout 4h -v -run "^${name}\$" "$pkg" >"$log" 2>&1 || true
  pass=$(grep -c -- "^--- PASS: ${name} " "$log" || true)
  fail=$(grep -c -- "^--- FAIL: ${name} " "$log" || true)
  printf '%-40s %2d/%d passed  (%d s)\n' "$name" "$pass" "$COUNT" "$(($(date +%s) - start))"
  if [ "$pass" -ne "$COUNT" ]; then
    failed=1
    [ "$fail" -gt 0 ] || echo "  (ran $pass, failed $fail: the package did not finish; see $log)"
    grep -E -A3 -- "^--- FAIL|^panic|^FAIL" "$log" | head -20 | sed 's/^/  /'
  fi
done <<<"$list"
echo "stress: logs in $out"
exit "$failed"
