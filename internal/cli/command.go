package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/store"
)

// Env is what every subcommand gets: its output streams and the process
// environment lookup (so tests can run commands with a controlled env).
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader // nil means the process's standard input
	Getenv func(string) string

	// zone is the district's time zone (--timezone), set when a command
	// resolves its settings; listings print their times in it.
	zone *time.Location
}

// zoneName is the IANA name of the district's zone, or "" before a
// command has resolved it (then fieldwork.DefaultTimeZone applies).
func (e *Env) zoneName() string {
	if e.zone == nil {
		return ""
	}
	return e.zone.String()
}

// clock is t to the minute in the district's zone (Asia/Shanghai before
// the settings are read).
func (e *Env) clock(t time.Time) string {
	loc := e.zone
	if loc == nil {
		loc = config.DefaultLocation()
	}
	return t.In(loc).Format("2006-01-02 15:04")
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

// parseOnlyFlags is parseFlags for a command that takes no positional
// arguments: a stray word is an error, so that the flags after it are not
// silently dropped ("minyi sample draw … extra --seed 7" would otherwise draw
// with a random seed).
func parseOnlyFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return apperr.New(apperr.Invalid, "%s: unexpected argument %q (see 'minyi help %s')", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// isFlag reports whether arg looks like a flag rather than a positional
// argument.
func isFlag(arg string) bool { return len(arg) > 1 && arg[0] == '-' }

// action is one subcommand of a command group, such as "import" in
// "minyi frame import".
type action struct {
	name string
	run  func(ctx context.Context, env *Env, args []string) error
}

// runGroup runs the action named by args[0], or prints the group's help.
func runGroup(ctx context.Context, env *Env, group, help string, args []string, actions ...action) error {
	names := make([]string, len(actions))
	for i, a := range actions {
		names[i] = a.name
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	if len(args) == 0 || isFlag(args[0]) {
		fmt.Fprint(env.Stdout, help)
		if len(args) > 0 && isHelpFlag(args[0]) {
			return errHelp
		}
		return apperr.New(apperr.Invalid, "%s: say %s", group, list)
	}
	for _, a := range actions {
		if a.name == args[0] {
			return a.run(ctx, env, args[1:])
		}
	}
	return apperr.New(apperr.Invalid, "%s: unknown action %q: use %s", group, args[0], list)
}

func isHelpFlag(s string) bool { return s == "-h" || s == "--help" || s == "-help" }

// oneArg takes the single positional argument of a subcommand, given before
// its flags (first) or after them.
func oneArg(fs *flag.FlagSet, first, what, usage string) (string, error) {
	switch rest := fs.Args(); {
	case first != "" && len(rest) == 0:
		return first, nil
	case first == "" && len(rest) == 1:
		return rest[0], nil
	}
	return "", apperr.New(apperr.Invalid, "name one %s: minyi %s", what, usage)
}

// splitFirst separates a leading positional argument from the flags after it.
func splitFirst(args []string) (string, []string) {
	if len(args) > 0 && !isFlag(args[0]) {
		return args[0], args[1:]
	}
	return "", args
}

// runWithDB runs a subcommand that takes the common flags (--db, log
// settings), the flags that more adds (if not nil) and, when what is not
// empty, one positional argument (before or after the flags) named by what
// in messages: it parses them, opens the migrated database and calls fn
// with the argument.
func runWithDB(ctx context.Context, env *Env, c *Command, args []string, what string, more func(*flag.FlagSet), fn func(db *store.DB, arg string) error) error {
	fs := newFlagSet(env, c)
	flags := config.Register(fs, c.Name, env.Getenv)
	if more != nil {
		more(fs)
	}
	first, rest := "", args
	if what != "" {
		first, rest = splitFirst(args)
	}
	var arg string
	if what == "" {
		if err := parseOnlyFlags(fs, rest); err != nil {
			return err
		}
	} else {
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		var err error
		if arg, err = oneArg(fs, first, what, c.Usage); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db, arg)
}

// openDB resolves the common settings and opens the database, which must
// exist and be migrated: only serve and migrate up create a database, so
// that a command run from the wrong directory does not leave an empty
// second database behind.
// It keeps the district's zone in env.
func openDB(ctx context.Context, env *Env, flags config.Flags) (*store.DB, error) {
	cfg, err := flags.Resolve()
	if err != nil {
		return nil, err
	}
	env.zone = cfg.Location
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Existing())
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, noDatabase(err, cfg.DatabaseURL)
	}
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// noDatabase explains a missing SQLite file: where minyi looked and which
// setting named it.
func noDatabase(err error, url string) error {
	return apperr.New(apperr.Invalid,
		"%s (--db / DATABASE_URL is %q): run minyi where the database is, point --db or DATABASE_URL at it, or create one with 'minyi migrate up'",
		apperr.PublicMessage(err), url)
}
