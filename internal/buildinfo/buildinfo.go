// Package buildinfo says which minyi this is: the version the Makefile
// stamps, else the module version and the VCS revision the go command
// records, for 'minyi version', /readyz, the report's methods and the
// exports' metadata.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strconv"
)

// Version is set at build time with
// -ldflags "-X github.com/minyi-survey/minyi/internal/buildinfo.Version=…".
var Version = "dev"

// Build describes this binary: its version, where its source came from and
// what built it. Without the Makefile's -ldflags, the version is the
// module's as the go command recorded it, and the revision is read from the
// VCS stamp `go build` adds in a git work tree.
type Build struct {
	Version  string `json:"version"`            // the -ldflags version, else the module version, else "dev"
	Module   string `json:"module,omitempty"`   // the main module's path and version
	Revision string `json:"revision,omitempty"` // VCS commit; "" when the build had no VCS information
	Time     string `json:"time,omitempty"`     // the commit's time (RFC 3339)
	Modified bool   `json:"modified,omitempty"` // the work tree had uncommitted changes
	Go       string `json:"go"`                 // runtime.Version()
	Platform string `json:"platform"`           // GOOS/GOARCH
}

// Read reads Build from the binary.
func Read() Build {
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

// Name is the build in a few words, for a report or a file's metadata:
// "minyi v1.2.0 (rev 1a2b3c4d5e6f, go1.26.8, schema 18)"; the revision is
// left out when unknown and marked "+changes" when the tree was modified.
func (b Build) Name(schema int64) string {
	s := "minyi " + b.Version + " ("
	if b.Revision != "" {
		rev := b.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += "rev " + rev
		if b.Modified {
			s += "+changes"
		}
		s += ", "
	}
	return s + b.Go + ", schema " + strconv.FormatInt(schema, 10) + ")"
}
