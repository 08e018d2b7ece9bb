package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

func surveyCommand() *Command {
	c := &Command{
		Name:    "survey",
		Usage:   "survey validate|import|import-xlsform|export-xlsform|publish|show|list [flags]",
		Summary: "Check, import, publish and show questionnaires (YAML or JSON definitions, XLSForm workbooks).",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "survey", surveyHelp, args,
			action{"validate", surveyValidate}, action{"import", surveyImport}, action{"publish", surveyPublish},
			action{"import-xlsform", surveyImportXLSForm}, action{"export-xlsform", surveyExportXLSForm},
			action{"show", surveyShow}, action{"list", surveyList})
	}
	return c
}

const surveyHelp = `usage:
  minyi survey validate FILE…         check definitions; no database needed
  minyi survey import FILE            store a definition as the questionnaire's draft
  minyi survey import-xlsform FILE.xlsx [--lang zh-CN|en]
                                      store an XLSForm workbook as the questionnaire's draft
  minyi survey export-xlsform SLUG[@VERSION|@draft] [-o FILE.xlsx]
                                      write a version as an XLSForm workbook (imports back unchanged)
  minyi survey publish SLUG           make the draft the next numbered version
  minyi survey show SLUG[@VERSION|@draft] [--lang zh-CN|en] [--format text|json]
  minyi survey list

A questionnaire is identified by the id (slug) in its definition. Importing
replaces the draft; publishing numbers it 1, 2, …; published versions never
change. Without @VERSION, show uses the newest published version.
`

func surveyImport(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "survey import", Usage: "survey import FILE", Summary: "Store a questionnaire definition (YAML or JSON) as its draft."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "survey", env.Getenv)
	first, rest := splitFirst(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	file, err := oneArg(fs, first, "file", c.Usage)
	if err != nil {
		return err
	}
	data, err := readDefinition(file)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := survey.Import(ctx, db, file, data, store.CLI)
	if err != nil {
		if pl, ok := apperr.DetailsOf(err).(survey.ProblemList); ok {
			lines := make([]string, len(pl.Problems))
			for i, p := range pl.Problems {
				lines[i] = p.String()
			}
			return problemsError(env, "survey import", file, lines, pl.Total)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s as the draft of %s (sha256 %s)\npublish it with: minyi survey publish %s\n", file, v.Slug, v.ContentHash, v.Slug)
	return nil
}

// readDefinition reads a definition file, refusing one too large to be a
// questionnaire before reading it all.
func readDefinition(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "%v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, questionnaire.MaxDefinitionSize+1))
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, apperr.New(apperr.Invalid, "%s: %v", file, err)
	}
	if len(data) > questionnaire.MaxDefinitionSize {
		return nil, apperr.New(apperr.Invalid, "%s: larger than %d bytes", file, questionnaire.MaxDefinitionSize)
	}
	return data, nil
}

func surveyPublish(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "survey publish", Usage: "survey publish SLUG", Summary: "Make a questionnaire's draft its next published version."}
	return runWithDB(ctx, env, c, args, "questionnaire", nil, func(db *store.DB, slug string) error {
		v, err := survey.Publish(ctx, db, slug, store.CLI)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "published %s version %d (sha256 %s)\n", v.Slug, v.Version, v.ContentHash)
		return nil
	})
}

func surveyShow(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "survey show", Usage: "survey show SLUG[@VERSION|@draft] [--lang zh-CN|en] [--format text|json]",
		Summary: "Show a questionnaire version: readable, or as the canonical JSON the tablet receives."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "survey", env.Getenv)
	lang := fs.String("lang", "zh-CN", "language of the labels: zh-CN or en")
	format := fs.String("format", "text", "text (readable) or json (canonical definition)")
	first, rest := splitFirst(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	arg, err := oneArg(fs, first, "questionnaire", "survey show SLUG[@VERSION|@draft]")
	if err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return apperr.WithFields("survey show: invalid flags", map[string]string{"--format": "use text or json"})
	}
	if *lang != "zh-CN" && *lang != "en" {
		return apperr.WithFields("survey show: invalid flags", map[string]string{"--lang": "use zh-CN or en"})
	}
	slug, refText, _ := strings.Cut(arg, "@")
	ref, err := survey.ParseRef(refText)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	v, d, err := survey.Get(ctx, db, slug, ref)
	if err != nil {
		return err
	}
	if *format == "json" {
		_, err := fmt.Fprintln(env.Stdout, v.Definition)
		return err
	}
	return writeSurveyText(env, v, d, *lang)
}

// writeSurveyText prints a readable listing of a questionnaire version:
// sections, numbered questions with options, help, skip and end rules,
// indicators and the composite index.
func writeSurveyText(env *Env, v store.QuestionnaireVersion, d *questionnaire.Definition, lang string) error {
	w := env.Stdout
	text := func(t questionnaire.Text) string { return survey.TextIn(d, t, lang) }
	state := "draft"
	if v.Status == store.VersionPublished {
		state = fmt.Sprintf("version %d, published %s", v.Version, env.clock(*v.PublishedAt))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s · sha256 %s\n%s\n", v.Slug, state, v.ContentHash[:12], text(d.Title))
	if intro := text(d.Intro); intro != "" {
		fmt.Fprintf(&b, "\n%s\n", intro)
	}
	n := 0
	for _, s := range d.Sections {
		fmt.Fprintf(&b, "\n== %s [%s]\n", text(s.Title), s.ID)
		if r := survey.DescribeSectionShowIf(d, s.ShowIf, lang); r != "" {
			fmt.Fprintf(&b, "   %s\n", r)
		}
		for _, q := range s.Questions {
			n++
			fmt.Fprintf(&b, "\n%3d. %s  %s\n", n, q.Code, text(q.Label))
			fmt.Fprintf(&b, "       %s\n", questionKind(q))
			if h := text(q.Help); h != "" {
				fmt.Fprintf(&b, "       help: %s\n", h)
			}
			if r := survey.DescribeShowIf(d, q.ShowIf, lang); r != "" {
				fmt.Fprintf(&b, "       %s\n", r)
			}
			for _, o := range q.Options {
				var marks []string
				if o.Exclusive {
					marks = append(marks, "exclusive")
				}
				switch o.Special {
				case questionnaire.SpecialDontKnow:
					marks = append(marks, "don't know")
				case questionnaire.SpecialRefused:
					marks = append(marks, "refused")
				}
				mark := ""
				if len(marks) > 0 {
					mark = "  [" + strings.Join(marks, ", ") + "]"
				}
				fmt.Fprintf(&b, "       %d  %s%s\n", o.Code, text(o.Label), mark)
			}
			if r := survey.DescribeEnd(d, q.EndIf, lang); r != "" {
				fmt.Fprintf(&b, "       → %s\n", r)
				if m := text(q.EndIf.Message); m != "" {
					fmt.Fprintf(&b, "         %s\n", m)
				}
			}
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	b.Reset()
	if len(d.Indicators) > 0 {
		b.WriteString("\n== indicators\n")
	}
	for _, ind := range d.Indicators {
		kind := string(ind.Kind)
		if ind.Role != "" {
			kind += " (" + string(ind.Role) + ")"
		}
		fmt.Fprintf(&b, "\n  %s  %s · %s", ind.ID, text(ind.Label), kind)
		if t := survey.TargetText(ind); t != "" {
			fmt.Fprintf(&b, " · target %s", t)
		}
		b.WriteString("\n       ")
		if ind.Question != "" {
			b.WriteString(ind.Question + ": ")
		}
		b.WriteString(indicatorCounts(d, ind, lang))
		if ind.DontKnow != "" {
			fmt.Fprintf(&b, "; don't know %s", ind.DontKnow)
		}
		if ind.Refused != "" {
			fmt.Fprintf(&b, "; refused %s", ind.Refused)
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if cp := d.Composite; cp != nil {
		fmt.Fprintf(w, "\n== composite: %s\n   %s", text(cp.Label), survey.WeightsText(cp))
		if t := survey.CompositeTargetText(d); t != "" {
			fmt.Fprintf(w, "; target %s", t)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// questionKind describes a question's type and constraints in a few words.
func questionKind(q *questionnaire.Question) string {
	s := strings.ReplaceAll(string(q.Type), "_", " ")
	switch q.Type {
	case questionnaire.TypeInteger:
		if q.Min != nil && q.Max != nil {
			s += fmt.Sprintf(" %d–%d", *q.Min, *q.Max)
		}
	case questionnaire.TypeText:
		s += fmt.Sprintf(", at most %d characters", q.MaxLength)
	}
	if q.Required {
		s += ", required"
	}
	return s
}

// indicatorCounts says which answers an indicator counts: the positive
// codes of a rate, the points of a score, the indicators a mean averages.
func indicatorCounts(d *questionnaire.Definition, ind *questionnaire.Indicator, lang string) string {
	switch ind.Kind {
	case questionnaire.KindRate:
		s := "positive " + survey.CodesText(d, ind.Question, ind.Positive, lang)
		if len(ind.Excluded) > 0 {
			s += "; excluded " + survey.CodesText(d, ind.Question, ind.Excluded, lang)
		}
		return s
	case questionnaire.KindScore:
		codes := slices.Sorted(maps.Keys(ind.Scores))
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%d→%g", c, ind.Scores[c])
		}
		return "points " + strings.Join(parts, ", ")
	case questionnaire.KindMean:
		return "mean of " + strings.Join(ind.Of, ", ")
	}
	return ""
}

func surveyList(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "survey list", Usage: "survey list [--lang zh-CN|en]", Summary: "List questionnaires with their newest version and draft."}
	var lang *string
	flags := func(fs *flag.FlagSet) { lang = fs.String("lang", "zh-CN", "language of the titles: zh-CN or en") }
	return runWithDB(ctx, env, c, args, "", flags, func(db *store.DB, _ string) error {
		qs, err := survey.List(ctx, db)
		if err != nil {
			return err
		}
		tw := newTable(env.Stdout)
		fmt.Fprintln(tw, "SLUG\tLATEST\tDRAFT\tUPDATED\tTITLE")
		for _, q := range qs {
			latest, draft := "-", "-"
			if q.Latest > 0 {
				latest = fmt.Sprint(q.Latest)
			}
			if q.HasDraft {
				draft = "yes"
			}
			title := q.Title[*lang]
			if title == "" {
				title = q.Title["zh-CN"]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", q.Slug, latest, draft, env.clock(q.UpdatedAt), title)
		}
		return tw.Flush()
	})
}

// problemsError prints a definition's problems, one a line, on stderr and
// answers the error that says nothing was stored: the one way both
// importers report a file they refused.
func problemsError(env *Env, command, file string, lines []string, total int) error {
	for _, l := range lines {
		fmt.Fprintln(env.Stderr, l)
	}
	return apperr.New(apperr.Invalid, "%s: %d problem(s) in %s; nothing was stored", command, total, file)
}
