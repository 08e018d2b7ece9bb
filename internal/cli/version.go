package cli

import (
	"context"
	"fmt"

	"github.com/minyi-survey/minyi/internal/buildinfo"
	"github.com/minyi-survey/minyi/internal/store"
)

func versionCommand() *Command {
	c := &Command{Name: "version", Usage: "version", Summary: "Print the version, the source revision, the Go version and the newest schema version this binary knows."}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, c)
		if err := parseOnlyFlags(fs, args); err != nil {
			return err
		}
		b := buildinfo.Read()
		// The first line is as it always was: scripts read it.
		fmt.Fprintf(env.Stdout, "minyi %s (%s, schema %d)\n", b.Version, b.Go, store.SchemaVersion())
		if b.Module != "" {
			fmt.Fprintf(env.Stdout, "module   %s\n", b.Module)
		}
		switch {
		case b.Revision == "":
			fmt.Fprintln(env.Stdout, "revision unknown (built without VCS information)")
		default:
			rev := b.Revision
			if b.Time != "" {
				rev += " (" + b.Time + ")"
			}
			if b.Modified {
				rev += " with uncommitted changes"
			}
			fmt.Fprintf(env.Stdout, "revision %s\n", rev)
		}
		fmt.Fprintf(env.Stdout, "go       %s %s\n", b.Go, b.Platform)
		fmt.Fprintf(env.Stdout, "schema   %d\n", store.SchemaVersion())
		return nil
	}
	return c
}
