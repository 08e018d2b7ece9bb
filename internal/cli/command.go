package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Env is what every subcommand gets: its output streams and the process
// environment lookup (so tests can run commands with a controlled env).
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader // nil means the process's standard input
	Getenv func(string) string
}

func (e *Env) stdin() io.Reader {
	if e.Stdin == nil {
		return os.Stdin
	}
	return e.Stdin
}

// Command is one subcommand of the minyi binary.
type Command struct {
	Name    string // e.g. "serve"
	Usage   string // one line: "serve [flags]"
	Summary string // one sentence for the command list
	// Run executes the command with the arguments after its name.
	Run func(ctx context.Context, env *Env, args []string) error
}

// newFlagSet returns a flag set that reports errors as Invalid errors
// instead of printing and exiting, and prints help on -h to env.Stdout.
func newFlagSet(env *Env, cmd *Command) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "usage: minyi %s\n\n%s\n\nflags:\n", cmd.Usage, cmd.Summary)
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args into fs. -h/--help prints usage and returns
// errHelp; any other problem becomes an Invalid error naming the command.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp { // the flag package has printed the usage
			return errHelp
		}
		return apperr.New(apperr.Invalid, "%s: %v (see 'minyi help %s')", fs.Name(), err, fs.Name())
	}
	return nil
}

// isFlag reports whether arg looks like a flag rather than a positional
// argument.
func isFlag(arg string) bool { return len(arg) > 1 && arg[0] == '-' }
