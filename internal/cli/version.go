package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/minyi-survey/minyi/internal/store"
)

// Version is set at build time with -ldflags "-X …/internal/cli.Version=…".
var Version = "dev"

func versionCommand() *Command {
	c := &Command{Name: "version", Usage: "version", Summary: "Print the version, the Go version and the newest schema version this binary knows."}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, c)
		if err := parseOnlyFlags(fs, args); err != nil {
			return err
		}
		v := Version
		if v == "dev" {
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
		}
		fmt.Fprintf(env.Stdout, "minyi %s (%s, schema %d)\n", v, runtime.Version(), store.SchemaVersion())
		return nil
	}
	return c
}
