package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/questionnaire/xlsform"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

// surveyImportXLSForm stores an XLSForm workbook as its questionnaire's
// draft: every problem with sheet, row and column, nothing stored on any.
func surveyImportXLSForm(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "survey import-xlsform", Usage: "survey import-xlsform FILE.xlsx [--lang zh-CN|en]",
		Summary: "Store an XLSForm workbook (sheets survey, choices, settings, indicators) as its questionnaire's draft."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "survey", env.Getenv)
	lang := fs.String("lang", Lang(), "language of problems and warnings: zh-CN or en (default: the terminal's, from LC_ALL, LC_MESSAGES or LANG)")
	first, rest := splitFirst(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	file, err := oneArg(fs, first, "file", c.Usage)
	if err != nil {
		return err
	}
	if *lang != "zh-CN" && *lang != "en" {
		return apperr.WithFields("survey import-xlsform: invalid flags", map[string]string{"--lang": "use zh-CN or en"})
	}
	data, err := readWorkbook(file)
	if err != nil {
		return err
	}
	res, err := xlsform.Read(data)
	if err != nil {
		var ps xlsform.Problems
		if errors.As(err, &ps) {
			lines := make([]string, len(ps))
			for i, p := range ps {
				lines[i] = file + ": " + p.Local(*lang)
			}
			return problemsError(env, "survey import-xlsform", file, lines, len(ps))
		}
		return err
	}
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := survey.ImportDefinition(ctx, db, file, res.Definition, store.CLI)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(env.Stderr, file+": "+w.Local(*lang))
	}
	for _, ac := range res.Codes {
		fmt.Fprintf(env.Stdout, "choice %q of list %s (choices row %d) has code %d\n", ac.Name, ac.List, ac.Row, ac.Code)
	}
	fmt.Fprintf(env.Stdout, "imported %s as the draft of %s (sha256 %s)\npublish it with: minyi survey publish %s\n", file, v.Slug, v.ContentHash, v.Slug)
	return nil
}

// readWorkbook reads a workbook, refusing one over xlsform.MaxSize before
// reading it.
func readWorkbook(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "%v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, xlsform.MaxSize+1))
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "%s: %v", file, err)
	}
	if len(data) > xlsform.MaxSize {
		return nil, apperr.New(apperr.Invalid, "%s: the workbook is larger than the limit of %d MB", file, xlsform.MaxSize>>20)
	}
	return data, nil
}

// surveyExportXLSForm writes a version as an XLSForm workbook, which
// import-xlsform reads back to the same content hash.
func surveyExportXLSForm(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "survey export-xlsform", Usage: "survey export-xlsform SLUG[@VERSION|@draft] [-o FILE.xlsx]",
		Summary: "Write a questionnaire version as an XLSForm workbook for Excel or WPS."}
	var out string
	more := func(fs *flag.FlagSet) { fs.StringVar(&out, "o", "", "file to write (default: SLUG-VERSION.xlsx here)") }
	return runWithDB(ctx, env, c, args, "questionnaire", more, func(db *store.DB, arg string) error {
		slug, refText, _ := strings.Cut(arg, "@")
		ref, err := survey.ParseRef(refText)
		if err != nil {
			return err
		}
		v, d, err := survey.Get(ctx, db, slug, ref)
		if err != nil {
			return err
		}
		version := "draft"
		if v.Version > 0 {
			version = strconv.Itoa(v.Version)
		}
		data, err := xlsform.Write(d, version)
		if err != nil {
			return apperr.Wrap(apperr.Internal, err, "writing the workbook")
		}
		if out == "" {
			out = slug + "-" + version + ".xlsx"
		}
		if err := writeFileAtomic(out, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "wrote %s version %s to %s\n", slug, version, out)
		return nil
	})
}
