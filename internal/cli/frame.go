package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/frameload"
	"github.com/minyi-survey/minyi/internal/store"
)

func frameCommand() *Command {
	c := &Command{
		Name:    "frame",
		Usage:   "frame import|list [flags]",
		Summary: "Import a household register (CSV or XLSX) as a new frame version, or list the versions.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "frame", frameHelp, args, action{"import", frameImport}, action{"list", frameList})
	}
	return c
}

const frameHelp = `usage:
  minyi frame import FILE [--encoding auto|utf-8|gb18030|utf-16] [--format auto|csv|xlsx] [--sheet NAME]
                          [--map street=街道,community=社区,household=门牌号,building=楼栋,size=户人数]
  minyi frame list

A frame file has one household per row with its street, community and
household id or address; building and household size are optional, other
columns are kept as attributes. Headers may be Chinese or English. The import
is atomic: a file with any problem imports nothing, and every problem is
listed with its line number.
`

// maxListedProblems bounds --max-errors: the problems are held in memory.
const maxListedProblems = 100_000

func frameImport(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "frame import", Usage: "frame import FILE [flags]", Summary: "Import a household register as a new frame version."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "frame", env.Getenv)
	enc := fs.String("encoding", "auto", "CSV character encoding: auto, utf-8, gb18030 (also GBK), utf-16")
	format := fs.String("format", "auto", "file format: auto, csv or xlsx")
	sheet := fs.String("sheet", "", "XLSX worksheet (default: the first)")
	mapping := fs.String("map", "", "explicit column mapping, e.g. street=街道名称,household=户号")
	maxErrors := fs.Int("max-errors", frame.DefaultMaxErrors, "problems to list at most, 1 to 100000 (all are counted)")
	first, rest := splitFirst(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	file, err := oneArg(fs, first, "file", c.Usage)
	if err != nil {
		return err
	}
	if *maxErrors < 1 || *maxErrors > maxListedProblems {
		return apperr.WithFields("frame import: invalid flags", map[string]string{"--max-errors": "a whole number from 1 to 100000"})
	}
	opts, err := frameOptions(*enc, *format, *sheet, *mapping, *maxErrors)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return apperr.New(apperr.Invalid, "frame import: %v", err)
	}
	defer f.Close()
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	fr, err := frameload.Import(ctx, db, f, filepath.Base(file), opts, store.CLI)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s as frame version %d: %d households in %d communities of %d streets (sha256 %s)\n",
		fr.SourceName, fr.Version, fr.Households, fr.Communities, fr.Streets, fr.SourceSHA256[:12])
	return nil
}

// frameOptions parses the reader options shared by the CLI and the API.
func frameOptions(enc, format, sheet, mapping string, maxErrors int) (frame.Options, error) {
	var o frame.Options
	var err error
	problems := map[string]string{}
	if o.Encoding, err = frame.ParseEncoding(enc); err != nil {
		problems["--encoding"] = err.Error()
	}
	if o.Format, err = frame.ParseFormat(format); err != nil {
		problems["--format"] = err.Error()
	}
	o.Sheet, o.MaxErrors = sheet, maxErrors
	if mapping != "" {
		if o.Mapping, err = frame.ParseMapping(mapping); err != nil {
			problems["--map"] = err.Error()
		}
	}
	if len(problems) > 0 {
		return o, apperr.WithFields("frame import: invalid flags", problems)
	}
	return o, nil
}

func frameList(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "frame list", Usage: "frame list", Summary: "List frame versions, newest first."}
	return runWithDB(ctx, env, c, args, "", nil, func(db *store.DB, _ string) error {
		frames, err := db.Frames(ctx)
		if err != nil {
			return err
		}
		tw := newTable(env.Stdout)
		fmt.Fprintln(tw, "VERSION\tFILE\tHOUSEHOLDS\tCOMMUNITIES\tSTREETS\tIMPORTED")
		for _, f := range frames {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%s\n", f.Version, f.SourceName, f.Households, f.Communities, f.Streets, env.clock(f.CreatedAt))
		}
		return tw.Flush()
	})
}
