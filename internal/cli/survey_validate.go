package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// surveyValidateCmd describes `minyi survey validate`, for usage and flag
// errors; the survey command dispatches to surveyValidate.
var surveyValidateCmd = &Command{
	Name:  "survey validate",
	Usage: "survey validate FILE…",
	Summary: "Check questionnaire definitions (YAML or JSON) without a database: every problem is " +
		"reported with file, line and column; valid files print a summary.",
}

// surveyValidate implements `minyi survey validate FILE…`. It prints
// "ok FILE (id, N questions, M indicators)" on stdout for each valid file
// and every problem of the others on stderr, one per line, as
// file:line:col: message. Any problem makes it return an Invalid error
// (exit code 2) after all files have been checked.
func surveyValidate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, surveyValidateCmd)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return apperr.New(apperr.Invalid, "survey validate: no FILE given (usage: minyi %s)", surveyValidateCmd.Usage)
	}
	badFiles, problems := 0, 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := validateSurveyFile(env, file)
		problems += n
		if n > 0 {
			badFiles++
		}
	}
	if badFiles > 0 {
		return apperr.New(apperr.Invalid, "survey validate: %d problem(s) in %d of %d file(s)", problems, badFiles, len(files))
	}
	return nil
}

// validateSurveyFile checks one file, prints the outcome and returns the
// number of problems.
func validateSurveyFile(env *Env, file string) int {
	data, err := os.ReadFile(file)
	if err == nil && len(data) > questionnaire.MaxDefinitionSize {
		err = fmt.Errorf("larger than %d bytes", questionnaire.MaxDefinitionSize)
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the file name is printed already
		}
		fmt.Fprintf(env.Stderr, "%s: %v\n", file, err)
		return 1
	}
	def, err := questionnaire.Parse(file, data)
	if err != nil {
		var probs questionnaire.Problems
		if !errors.As(err, &probs) {
			fmt.Fprintf(env.Stderr, "%s: %v\n", file, err)
			return 1
		}
		for _, p := range probs {
			fmt.Fprintln(env.Stderr, p.String())
		}
		return len(probs)
	}
	fmt.Fprintf(env.Stdout, "ok %s (%s, %d questions, %d indicators)\n", file, def.ID, len(def.Questions()), len(def.Indicators))
	return 0
}
