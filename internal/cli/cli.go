// Package cli implements the minyi command line: one binary with
// subcommands (serve, migrate, user, estimate, …). main only calls Run, so
// every subcommand can be run and tested in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// errHelp is returned after help was printed on request; it is not a failure.
var errHelp = errors.New("help requested")

// commands lists every subcommand. A domain adds itself here.
func commands() []*Command {
	return []*Command{
		serveCommand(),
		migrateCommand(),
		backupCommand(),
		restoreCommand(),
		userCommand(),
		frameCommand(),
		sampleCommand(),
		surveyCommand(),
		tokenCommand(),
		versionCommand(),
		estimateCommand(),
		exportCommand(),
		roundCommand(),
		populationCommand(),
		assignCommand(),
		simulateCommand(),
		tlsCommand(),
	}
}

// Run executes the minyi command line args (without the program name).
// It returns nil on success and on a requested help text.
func Run(ctx context.Context, args []string, env *Env) error {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if err := checkArgs(args); err != nil {
		return err
	}
	cmds := commands()
	if len(args) == 0 {
		printCommands(env, cmds)
		return apperr.New(apperr.Invalid, "no command given")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			printCommands(env, cmds)
			return nil
		}
		name, rest = rest[0], []string{"-h"}
	}
	for _, c := range cmds {
		if c.Name == name {
			err := c.Run(ctx, env, rest)
			if errors.Is(err, errHelp) {
				return nil
			}
			return err
		}
	}
	return apperr.New(apperr.Invalid, "unknown command %q (see 'minyi help')", name)
}

func printCommands(env *Env, cmds []*Command) {
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	var b strings.Builder
	b.WriteString("minyi (民意): household survey platform for the four rates (四率).\n\nusage: minyi <command> [flags]\n\ncommands:\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-10s %s\n", c.Name, c.Summary)
	}
	b.WriteString("\nRun 'minyi help <command>' for the flags of a command.\n")
	fmt.Fprint(env.Stdout, b.String())
}

// ExitCode maps an error returned by Run to a process exit code:
// 0 success, 2 bad input or usage, 1 anything else.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case apperr.Is(err, apperr.Invalid):
		return 2
	default:
		return 1
	}
}

// checkArgs refuses a command line with text a database would refuse or
// store as it is (invalid UTF-8, control characters), naming the flag or
// the argument, before any command sees it.
func checkArgs(args []string) error {
	for i, a := range args {
		msg := textcheck.Field(a)
		if msg == "" {
			continue
		}
		name := fmt.Sprintf("argument %d", i+1)
		if isFlag(a) {
			if k, _, ok := strings.Cut(a, "="); ok && textcheck.Field(k) == "" {
				name = k
			}
		} else if i > 0 && isFlag(args[i-1]) && !strings.Contains(args[i-1], "=") && textcheck.Field(args[i-1]) == "" {
			name = args[i-1]
		}
		return apperr.WithFields("invalid text in the command line", map[string]string{name: msg})
	}
	return nil
}
