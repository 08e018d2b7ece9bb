package msgs

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "add the messages the source has and the catalog lacks to web/messages/en.json (with new codes)")

// TestEveryMessageInCatalog reads the Go source of internal/ and finds
// every message a person can be shown: the formats of apperr.New, Wrap and
// WithFields, the field messages beside them, an apperr.Error's Message,
// and echo.NewHTTPError's. Each must be in the catalog (so it is shown in
// zh-CN and English); -update adds the missing ones to the English file
// with new codes, to be translated.
func TestEveryMessageInCatalog(t *testing.T) {
	found, err := sourceMessages("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 300 {
		t.Fatalf("only %d messages found in the source: the extraction broke", len(found))
	}
	c := Default()
	var missing []string
	for _, m := range found {
		if !c.has(m.format) {
			missing = append(missing, m.format)
			if !*update {
				t.Errorf("%s: %q is not in web/messages/en.json (go test ./internal/msgs -update adds it)", m.pos, m.format)
			}
		}
	}
	if *update && len(missing) > 0 {
		addToCatalog(t, missing)
	}
}

type sourceMessage struct{ format, pos string }

// sourceMessages parses every non-test Go file under root.
func sourceMessages(root string) ([]sourceMessage, error) {
	var out []sourceMessage
	seen := map[string]bool{}
	add := func(fset *token.FileSet, n ast.Node, format string) {
		if !translatable(format) || seen[format] {
			return
		}
		seen[format] = true
		p := fset.Position(n.Pos())
		out = append(out, sourceMessage{format, p.Filename + ":" + strconv.Itoa(p.Line)})
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.Contains(path, "testdata") || strings.Contains(path, "servertest") || strings.Contains(path, "fieldtest") || strings.Contains(path, "storetest") {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				pkg, name := callee(n)
				switch {
				case pkg == "apperr" && (name == "New" || name == "Wrap" || name == "WithFields"):
					if name != "WithFields" && len(n.Args) > 0 && internalKind(n.Args[0]) {
						return true // logged, never shown
					}
					i := map[string]int{"New": 1, "Wrap": 2, "WithFields": 0}[name]
					if i < len(n.Args) {
						if s, ok := format(n.Args[i]); ok {
							add(fset, n, s)
						}
					}
					if name == "WithFields" && len(n.Args) == 2 {
						if cl, ok := n.Args[1].(*ast.CompositeLit); ok {
							for _, e := range cl.Elts {
								if kv, ok := e.(*ast.KeyValueExpr); ok {
									if s, ok := format(kv.Value); ok {
										add(fset, kv, s)
									}
								}
							}
						}
					}
				case pkg == "" && name == "bad" && len(n.Args) == 1:
					// auth.CheckPassword's bad(why): a field message.
					if s, ok := format(n.Args[0]); ok {
						add(fset, n, s)
					}
				case pkg == "echo" && name == "NewHTTPError" && len(n.Args) > 1:
					if s, ok := format(n.Args[1]); ok {
						add(fset, n, s)
					}
				case pkg != "" && problemMakers[problemPackage(path)][name] > 0:
					// A file's problem: its message, a format.
					if i := problemMakers[problemPackage(path)][name]; i < len(n.Args) {
						if s, ok := format(n.Args[i]); ok {
							add(fset, n, s)
						}
					}
				}
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Problem" && problemMakers[problemPackage(path)] != nil {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
								if s, ok := format(kv.Value); ok {
									add(fset, kv, s)
								}
							}
						}
					}
				}
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "apperr" {
						for _, e := range n.Elts {
							if kv, ok := e.(*ast.KeyValueExpr); ok {
								if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
									if s, ok := format(kv.Value); ok {
										add(fset, kv, s)
									}
								}
							}
						}
					}
				}
			case *ast.AssignStmt:
				// fields["x"] = "…": a field message put into the map that
				// WithFields takes.
				if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
					if ix, ok := n.Lhs[0].(*ast.IndexExpr); ok {
						if id, ok := ix.X.(*ast.Ident); ok && fieldMaps[id.Name] {
							if s, ok := format(n.Rhs[0]); ok {
								add(fset, n, s)
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	slices.SortFunc(out, func(a, b sourceMessage) int { return strings.Compare(a.pos, b.pos) })
	return out, err
}

// problemMakers are, for each package whose problems a file's reader
// lists (a register, population counts, a questionnaire, a fieldwork
// rule), the functions that make a problem's message and which argument
// is its format. (The
// XLSForm reader says its problems in both languages itself.)
var problemMakers = map[string]map[string]int{
	"fieldwork":     {"add": 2}, // a rule file's problem at its key and line
	"frame":         {"problem": 3},
	"population":    {"add": 1},
	"questionnaire": {"add": 3, "errorf": 3},
}

// problemPackage is the package directory of a file under internal/.
func problemPackage(path string) string {
	return filepath.Base(filepath.Dir(path))
}

// fieldMaps are the names the source gives the map of field messages.
var fieldMaps = map[string]bool{"fields": true, "f": true, "fe": true, "bad": true, "errs": true, "problems": true}

// internalKind: apperr.Internal, whose message is logged and never shown.
func internalKind(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Internal"
}

func callee(c *ast.CallExpr) (pkg, name string) {
	if id, ok := c.Fun.(*ast.Ident); ok {
		return "", id.Name
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", ""
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", ""
	}
	return x.Name, sel.Sel.Name
}

// format returns the format an expression makes: a string literal, a
// fmt.Sprintf of one, or a concatenation of literals and other values
// (each of which becomes %s).
func format(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.CallExpr:
		if pkg, name := callee(e); pkg == "fmt" && name == "Sprintf" && len(e.Args) > 0 {
			return format(e.Args[0])
		}
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, lok := format(e.X)
		r, rok := format(e.Y)
		if !lok {
			l = "%s"
		}
		if !rok {
			r = "%s"
		}
		if !lok && !rok {
			return "", false
		}
		return l + r, true
	case *ast.ParenExpr:
		return format(e.X)
	}
	return "", false
}

var letters = regexp.MustCompile(`[A-Za-z]{2,}`)

// translatable: a format with words in it (not "%s: %v").
func translatable(f string) bool { return letters.MatchString(verbRE.ReplaceAllString(f, "")) }

// addToCatalog appends the missing formats to web/messages/en.json under
// new codes made from their words, and to zh-CN.json untranslated (marked
// so that the language test fails until someone translates them).
func addToCatalog(t *testing.T, missing []string) {
	t.Helper()
	for _, lang := range []string{"en", "zh-CN"} {
		path := filepath.Join("..", "..", "web", "messages", lang+".json")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, f := range missing {
			code := codeFor(f, m)
			if lang == "en" {
				m[code] = f
			} else {
				m[code] = untranslated + f
			}
		}
		out, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("added %d messages to web/messages: translate the %q ones in zh-CN.json", len(missing), untranslated)
}

var codeWord = regexp.MustCompile(`[a-z0-9]+`)

// codeFor makes a code from a format's first words: "round %q not found"
// → "round_not_found"; a number is added when taken.
func codeFor(format string, taken map[string]string) string {
	words := codeWord.FindAllString(strings.ToLower(verbRE.ReplaceAllString(format, " ")), -1)
	var kept []string
	for _, w := range words {
		if len(kept) == 5 {
			break
		}
		if len(w) < 2 || w == "the" || w == "a" || w == "an" || w == "of" || w == "is" || w == "to" {
			continue
		}
		kept = append(kept, w)
	}
	code := strings.Join(kept, "_")
	if code == "" {
		code = "message"
	}
	for i := 2; ; i++ {
		if _, ok := taken[code]; !ok {
			return code
		}
		if taken[code] == format {
			return code
		}
		code = strings.Join(kept, "_") + "_" + strconv.Itoa(i)
	}
}
