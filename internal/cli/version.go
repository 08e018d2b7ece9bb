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

// Build describes this binary: its version, where its source came from and
// what built it. Without the Makefile's -ldflags, the version is the
// module's as the go command recorded it, and the revision is read from the
// VCS stamp `go build` adds in a git work tree.
type Build struct {
	Version  string // the -ldflags version, else the module version, else "dev"
	Module   string // the main module's path and version
	Revision string // VCS commit; "" when the build had no VCS information
	Time     string // the commit's time (RFC 3339)
	Modified bool   // the work tree had uncommitted changes
	Go       string // runtime.Version()
	Platform string // GOOS/GOARCH
}

// BuildInfo reads Build from the binary.
func BuildInfo() Build {
	b := Build{Version: Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Module = bi.Main.Path + " " + bi.Main.Version
	if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

func versionCommand() *Command {
	c := &Command{Name: "version", Usage: "version", Summary: "Print the version, the source revision, the Go version and the newest schema version this binary knows."}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, c)
		if err := parseOnlyFlags(fs, args); err != nil {
			return err
		}
		b := BuildInfo()
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
