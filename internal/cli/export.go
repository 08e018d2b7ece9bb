package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

const exportUsage = "export responses|dispositions|summary|codebook|communities|r-bundle --round NAME [--format csv|xlsx] [--labels] [--no-bom] [-o FILE]"

func exportCommand() *Command {
	c := &Command{
		Name:  "export",
		Usage: exportUsage,
		Summary: "Export a round for Excel or R: its accepted responses (one line each: ids, where, who, when, answers, " +
			"indicators, stratum, PSU and the weighting's steps: base weight, sample, non-response, within-household and " +
			"calibration factors, imputations, final weight), its dispositions (every household: final disposition, AAPOR " +
			"category, replacement links, base weight and its part in the weighting), its summary (every rate and the composite " +
			"for the district and each street, with intervals, n, deff and effective n), its codebook, its community estimates " +
			"(each rate in each community: the direct estimate with its design SE and interval beside the model estimate, a " +
			"Fay-Herriot EBLUP, with its MSE and interval, or the reason the model was not shown), or the R bundle (a zip " +
			"with the responses, the dispositions, the population counts, minyi's table and verify.R, which redoes the weighting " +
			"and rebuilds the design with R's survey package and reproduces the table). CSV is UTF-8 with a byte-order mark " +
			"unless --no-bom; the file is written whole or not at all.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		var round, format, out, lonely, variance string
		var o results.ExportOptions
		more := func(fs *flag.FlagSet) {
			fs.StringVar(&round, "round", "", "the round, by name or id (required)")
			fs.StringVar(&format, "format", "csv", "csv or xlsx (the R bundle is a zip)")
			fs.BoolVar(&o.Labels, "labels", false, "answers of choice questions as their labels instead of their codes")
			fs.BoolVar(&o.NoBOM, "no-bom", false, "CSV without the UTF-8 byte-order mark")
			fs.StringVar(&out, "o", "", "file to write (default: standard output)")
			fs.StringVar(&lonely, "lonely-psu", "fail", "a stratum with one PSU in the summary and the R bundle: fail, remove, certainty, adjust or average (as R's survey.lonely.psu)")
			fs.StringVar(&variance, "variance", "wor", "variance of the summary and the R bundle: wor (communities by PPS without replacement, Brewer, and households within them) or wr (communities as if drawn with replacement)")
		}
		return runWithDB(ctx, env, c, args, "export", more, func(db *store.DB, what string) error {
			kind, err := results.ParseExportKind(what)
			if err != nil {
				return apperr.New(apperr.Invalid, "export: %q: say responses, dispositions, summary, codebook, communities or r-bundle", what)
			}
			if o.Format, err = export.ParseFormat(format); err != nil {
				return apperr.WithFields("export: invalid flags", map[string]string{"--format": "csv or xlsx"})
			}
			if o.LonelyPSU, err = stats.ParseLonelyPSU(lonely); err != nil {
				return apperr.WithFields("export: invalid flags", map[string]string{"--lonely-psu": "fail, remove, certainty, adjust or average"})
			}
			if o.Variance, err = stats.ParseVariance(variance); err != nil {
				return apperr.WithFields("export: invalid flags", map[string]string{"--variance": "wor or wr"})
			}
			if round == "" {
				return apperr.New(apperr.Invalid, "export: --round is required (see 'minyi help export')")
			}
			r, err := rounds.New(db).RoundByRef(ctx, round)
			if err != nil {
				return err
			}
			o.Location = env.zone // times in the district's zone, as the web's exports
			write := func(w io.Writer) error { return results.ExportTo(ctx, db, r.ID, kind, o, w) }
			if out == "" || out == "-" {
				return write(env.Stdout)
			}
			if err := writeFileAtomic(out, write); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "wrote %s of round %q to %s\n", kind, r.Name, out)
			return nil
		})
	}
	return c
}
