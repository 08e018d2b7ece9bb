package results

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// WriteRBundle writes the R bundle of a round as a zip: responses.csv (the
// responses export, codes), minyi.csv (the summary export) and verify.R, a
// script that builds the same design with R's survey package —
// svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE)
// — and reproduces every figure of minyi.csv with svymean, svyciprop and
// svycontrast, district and streets, writing both side by side to
// r_figures.csv and stopping with an error if any differs. A calibrated
// round is refused: its variances need the calibration, which the script
// does not redo.
func WriteRBundle(ctx context.Context, db *store.DB, roundID int64, o ExportOptions, w io.Writer) error {
	round, def, err := roundDef(ctx, db, roundID)
	if err != nil {
		return err
	}
	cal, err := calibrationOf(ctx, db, roundID)
	if err != nil {
		return err
	}
	if cal != nil {
		return apperr.New(apperr.Conflict, "round %d's weights are calibrated: the R bundle reproduces uncalibrated designs only; use 'minyi round export' and the calibration in R", roundID)
	}
	z := zip.NewWriter(w)
	add := func(name string, fill func(io.Writer) error) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now().UTC()})
		if err != nil {
			return apperr.Wrap(apperr.Internal, err, "zip %s", name)
		}
		return fill(f)
	}
	csvOpts := ExportOptions{Format: export.FormatCSV, NoBOM: o.NoBOM, Scope: o.Scope, MinN: o.MinN, LonelyPSU: o.LonelyPSU}
	book := func(fill func(export.Book) error) func(io.Writer) error {
		return func(w io.Writer) error {
			b, err := export.NewBook(w, export.FormatCSV, export.Options{NoBOM: o.NoBOM})
			if err != nil {
				return err
			}
			if err := fill(b); err != nil {
				return err
			}
			return b.Close()
		}
	}
	if err := add("responses.csv", book(func(b export.Book) error { return WriteResponses(ctx, db, roundID, csvOpts, b) })); err != nil {
		return err
	}
	if err := add("minyi.csv", book(func(b export.Book) error { return WriteSummary(ctx, db, roundID, csvOpts, b) })); err != nil {
		return err
	}
	script, err := rScript(round, def, o.LonelyPSU)
	if err != nil {
		return err
	}
	if err := add("verify.R", func(w io.Writer) error { _, err := w.Write(script); return err }); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return apperr.Wrap(apperr.Internal, err, "zip")
	}
	return nil
}

// rScript writes verify.R for a round.
func rScript(round store.Round, def *questionnaire.Definition, lonely stats.LonelyPSU) ([]byte, error) {
	var rates, means []string
	for _, ind := range def.Indicators {
		if ind.Kind == questionnaire.KindRate {
			rates = append(rates, strconv.Quote(ind.ID))
		} else {
			means = append(means, strconv.Quote(ind.ID))
		}
	}
	var comp []string
	if c := def.Composite; c != nil {
		for _, ind := range def.Indicators { // in the questionnaire's order
			if wt, ok := c.Weights[ind.ID]; ok {
				comp = append(comp, fmt.Sprintf("%s = %s", ind.ID, strconv.FormatFloat(wt, 'g', -1, 64)))
			}
		}
	}
	var b bytes.Buffer
	err := rTemplate.Execute(&b, map[string]any{
		"Round": strconv.Quote(round.Name), "ID": round.ID, "Questionnaire": fmt.Sprintf("%s@%d", round.Questionnaire, round.QuestionnaireVersion),
		"Rates": strings.Join(rates, ", "), "Means": strings.Join(means, ", "), "Composite": strings.Join(comp, ", "),
		"CompositeID": strconv.Quote(CompositeID), "Lonely": strconv.Quote(lonely.String()),
	})
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "R script")
	}
	return b.Bytes(), nil
}

// rTemplate is verify.R. Its formulas are minyi's (see
// docs/statistics.md): a rate's logit interval is R's svyciprop method
// "xlogit" (expit(logit(p) ± t·se/(p(1−p)))), a mean's is p ± t·se, with
// df = degf of the (domain) design; the composite is svycontrast of
// the components' ratio estimates, each on its own non-missing responses.
var rTemplate = template.Must(template.New("verify.R").Parse(`# minyi R bundle: round {{.Round}} (id {{.ID}}), questionnaire {{.Questionnaire}}.
# Builds minyi's design with R's survey package and reproduces every figure
# of minyi.csv. Run in this directory:  Rscript verify.R
# Writes r_figures.csv (minyi's and R's figures side by side) and stops
# with an error if any differs by more than 1e-8 (relative; absolute 1e-14 for
# figures below 1e-6, such as a standard error of 0 against 1e-17).
suppressMessages(library(survey))
options(survey.lonely.psu = {{.Lonely}})

d <- read.csv("responses.csv", fileEncoding = "UTF-8-BOM", stringsAsFactors = FALSE, check.names = FALSE)
# Strata: streets; clusters: the sample's PSUs (communities; households in
# a simple random sample), taken as drawn with replacement; the weights in
# force (final weights once the round is weighted).
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
minyi <- read.csv("minyi.csv", fileEncoding = "UTF-8-BOM", stringsAsFactors = FALSE)

rates <- c({{.Rates}})
means <- c({{.Means}})
composite <- c({{.Composite}})
level <- 0.95

# The composite's components, each as a total of its values and of its
# responses with a value: their ratios are the components' estimates.
for (v in names(composite)) {
  d[[paste0(".y_", v)]] <- ifelse(is.na(d[[v]]), 0, d[[v]])
  d[[paste0(".n_", v)]] <- as.numeric(!is.na(d[[v]]))
}
if (length(composite) > 0) {
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
}

figures <- NULL
figure <- function(v, sid, est, se, lo, hi) {
  figures <<- rbind(figures, data.frame(indicator = v, street_id = sid, r_estimate = est, r_se = se, r_ci_low = lo, r_ci_high = hi))
}
estimate <- function(x, sid) {
  df <- degf(x)
  for (v in c(rates, means)) {
    f <- as.formula(paste0("~", v))
    if (sum(!is.na(model.frame(x)[[v]])) == 0) next
    m <- svymean(f, x, na.rm = TRUE)
    p <- coef(m)[[1]]
    se <- SE(m)[[1]]
    if (v %in% rates) {
      ci <- if (p > 0 && p < 1) as.vector(confint(svyciprop(f, x, method = "xlogit", level = level, df = df, na.rm = TRUE))) else c(NA, NA)
    } else {
      ci <- p + c(-1, 1) * qt(1 - (1 - level) / 2, df) * se
    }
    figure(v, sid, p, se, ci[1], ci[2])
  }
  if (length(composite) > 0) {
    terms <- unlist(lapply(names(composite), function(v) c(paste0(".y_", v), paste0(".n_", v))))
    tot <- svytotal(as.formula(paste("~", paste(terms, collapse = " + "))), x)
    expr <- parse(text = paste(sprintf("%.17g * .y_%s / .n_%s", composite, names(composite), names(composite)), collapse = " + "))[[1]]
    cm <- svycontrast(tot, expr)
    p <- coef(cm)[[1]]
    se <- SE(cm)[[1]]
    figure({{.CompositeID}}, sid, p, se, p - qt(1 - (1 - level) / 2, df) * se, p + qt(1 - (1 - level) / 2, df) * se)
  }
}

estimate(des, NA)
for (s in sort(unique(d$stratum))) estimate(subset(des, stratum == s), s)

both <- merge(minyi, figures, by = c("indicator", "street_id"), all.x = TRUE)
both <- both[!is.na(both$estimate), ]
rel <- function(a, b) ifelse(is.na(a) & is.na(b), 0, abs(a - b) / pmax(1e-6, abs(b)))
both$difference <- pmax(rel(both$r_estimate, both$estimate), rel(both$r_se, both$se),
                        rel(both$r_ci_low, both$ci_low), rel(both$r_ci_high, both$ci_high), na.rm = FALSE)
# A street of a single PSU has 0 degrees of freedom: neither gives an
# interval, and R's svycontrast gives no standard error for the composite
# there (minyi's is that of the lonely-PSU policy); only the estimate is
# compared.
nose <- both$df == 0 & is.na(both$r_se)
both$difference[nose] <- rel(both$r_estimate, both$estimate)[nose]
write.csv(both, "r_figures.csv", row.names = FALSE, fileEncoding = "UTF-8")
worst <- max(both$difference)
cat(sprintf("%d figures compared (%d on their estimate alone: no standard error in R with 0 degrees of freedom); largest relative difference %.3g\n",
            nrow(both), sum(nose), worst))
if (is.na(worst) || worst > 1e-8) stop("R and minyi differ: see r_figures.csv")
`))

// ExportTo writes an export of a round to w.
func ExportTo(ctx context.Context, db *store.DB, roundID int64, kind ExportKind, o ExportOptions, w io.Writer) error {
	if kind == ExportRBundle {
		return WriteRBundle(ctx, db, roundID, o, w)
	}
	book, err := export.NewBook(w, o.Format, export.Options{NoBOM: o.NoBOM})
	if err != nil {
		return err
	}
	switch kind {
	case ExportResponses:
		err = WriteResponses(ctx, db, roundID, o, book)
		if err == nil && o.Format == export.FormatXLSX {
			err = WriteCodebook(ctx, db, roundID, book) // the codes explained beside them
		}
	case ExportSummary:
		err = WriteSummary(ctx, db, roundID, o, book)
	case ExportCodebook:
		err = WriteCodebook(ctx, db, roundID, book)
	default:
		err = apperr.New(apperr.Invalid, "unknown export %q", kind)
	}
	if cerr := book.Close(); err == nil {
		err = cerr
	}
	return err
}

// FileName is the name an export is saved under.
func FileName(round store.Round, kind ExportKind, f export.Format) string {
	ext := string(f)
	if kind == ExportRBundle {
		ext = "zip"
	}
	name := strings.Map(func(r rune) rune {
		if slices.Contains([]rune(`/\:*?"<>|`), r) || r < ' ' {
			return '_'
		}
		return r
	}, round.Name)
	return fmt.Sprintf("%s-%s.%s", name, kind, ext)
}
