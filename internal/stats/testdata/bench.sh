#!/usr/bin/env bash
# End-to-end benchmark: `minyi estimate` against R's survey package on the
# same 1,000,000-response CSV (20 strata, 400 PSUs, 4 rates, by street).
#
#   internal/stats/testdata/bench.sh            # ROWS=… STRATA=… PSUS=… to change the size
#
# Everything is written to a temporary directory that is removed at the
# end; nothing is committed. Without Rscript only minyi is timed.
set -euo pipefail

ROWS=${ROWS:-1000000}
STRATA=${STRATA:-20}
PSUS=${PSUS:-400}
root=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"

now() { date +%s.%N; }
rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "generating $ROWS responses ($STRATA strata, $PSUS PSUs) …"
go run ./internal/stats/testdata/gendata -rows "$ROWS" -strata "$STRATA" -psus "$PSUS" >"$tmp/big.csv"
echo "data: $(du -h "$tmp/big.csv" | cut -f1)"
go build -o "$tmp/minyi" ./cmd/minyi

args=(estimate --data "$tmp/big.csv" --strata stratum --cluster community --weight w
      --vars know,support,join,satisfied --by street)
"$tmp/minyi" "${args[@]}" >/dev/null # warm the page cache
t0=$(now)
/usr/bin/time -v "$tmp/minyi" "${args[@]}" >"$tmp/minyi.json" 2>"$tmp/minyi.time"
t1=$(now)
minyi_s=$(echo "$t1 - $t0" | bc -l)
printf 'minyi estimate: %.3f s, peak RSS %s MB, %.0f ns/response\n' "$minyi_s" "$(rss_mb "$tmp/minyi.time")" \
  "$(echo "$minyi_s * 1000000000 / $ROWS" | bc -l)"

if ! command -v Rscript >/dev/null; then
  echo "Rscript not found: R not timed"
  exit 0
fi

cat >"$tmp/bench.R" <<'EOF'
suppressMessages({ library(survey); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
t0 <- proc.time()[["elapsed"]]
d <- read.csv(args[1], colClasses = c(stratum = "character", street = "character", community = "character"))
t1 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~community, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
rows <- list()
for (v in c("know", "support", "join", "satisfied")) {
  f <- as.formula(paste0("~", v))
  m <- svymean(f, des, na.rm = TRUE, deff = TRUE)
  ci <- attr(svyciprop(f, des, method = "logit", na.rm = TRUE), "ci")
  rows[[length(rows) + 1]] <- data.frame(variable = v, domain = NA, estimate = coef(m)[[1]], se = SE(m)[[1]],
                                         ci_low = ci[[1]], ci_high = ci[[2]], deff = deff(m)[[1]])
  b <- svyby(f, ~street, des, svymean, na.rm = TRUE, deff = TRUE)
  bc <- svyby(f, ~street, des, svyciprop, vartype = "ci", method = "logit", na.rm = TRUE)
  rows[[length(rows) + 1]] <- data.frame(variable = v, domain = b$street, estimate = coef(b), se = SE(b),
                                         ci_low = bc$ci_l, ci_high = bc$ci_u, deff = deff(b))
}
r <- do.call(rbind, rows)
t2 <- proc.time()[["elapsed"]]
cat(sprintf("R: read.csv %.1f s, svydesign + svymean + svyciprop + svyby %.1f s\n", t1 - t0, t2 - t1))
g <- fromJSON(args[2])$estimates
key <- function(x) paste(x$variable, ifelse(is.na(x$domain), "", x$domain))
g <- g[match(key(r), key(g)), ]
rel <- function(a, b) max(abs(a - b) / abs(b))
cat(sprintf("agreement with minyi (max relative difference): estimate %.1e, se %.1e, ci %.1e, deff %.1e over %d estimates\n",
            rel(g$estimate, r$estimate), rel(g$se, r$se), rel(c(g$ci_low, g$ci_high), c(r$ci_low, r$ci_high)),
            rel(g$deff, r$deff), nrow(r)))
EOF
t0=$(now)
if ! /usr/bin/time -v Rscript "$tmp/bench.R" "$tmp/big.csv" "$tmp/minyi.json" >"$tmp/r.out" 2>"$tmp/r.time"; then
  cat "$tmp/r.out" "$tmp/r.time"
  exit 1
fi
t1=$(now)
sed 's/^/  /' "$tmp/r.out"
r_s=$(echo "$t1 - $t0" | bc -l)
printf 'R survey:       %.1f s, peak RSS %s MB\n' "$r_s" "$(rss_mb "$tmp/r.time")"
printf 'speed-up:       %.0f×\n' "$(echo "$r_s / $minyi_s" | bc -l)"
