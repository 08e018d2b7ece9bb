package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strings"
	"sync"

	"github.com/minyi-survey/minyi/web"
)

// StaticFile is one embedded file served under /static/ (and the tablet
// app's under /t/).
type StaticFile struct {
	Name string
	Body []byte
	ETag string // a strong ETag: the file's SHA-256, hex, in quotes
}

// StaticFiles reads the embedded static files and hashes each once per
// process. Directories are not listed and the modules' own tests
// (*.test.mjs, run by node --test) are not served.
var StaticFiles = sync.OnceValues(func() (map[string]StaticFile, error) {
	fsys := web.Static()
	files := map[string]StaticFile{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".test.mjs") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		files[p] = StaticFile{Name: p, Body: b, ETag: `"` + hex.EncodeToString(sum[:]) + `"`}
		return nil
	})
	return files, err
})
