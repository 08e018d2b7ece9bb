package questionnaire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxDefinitionSize is the largest definition Parse accepts, in bytes.
const MaxDefinitionSize = 1 << 20

// maxWhole bounds every whole number in a definition or an answer, so that
// JavaScript (whose numbers are float64) reads them exactly.
const maxWhole = 1<<53 - 1

// Parse reads a definition from YAML or JSON (JSON is valid YAML) and checks
// it. file names the source in problem positions. On failure the error is
// Problems listing everything found, with line and column.
func Parse(file string, data []byte) (*Definition, error) {
	d, l := decode(file, data)
	if d == nil {
		return nil, l.probs.sorted()
	}
	// Check even after structural problems, so that one run reports
	// everything; values that failed to decode are not reported twice.
	if probs := d.check(l); len(probs) > 0 {
		return nil, probs.sorted()
	}
	return d, nil
}

// ParseJSON is Parse for input that must be JSON, such as a definition
// posted to the HTTP API or read back from storage.
func ParseJSON(file string, data []byte) (*Definition, error) {
	if !json.Valid(data) {
		p := Problem{File: file, Message: "not valid JSON"}
		var se *json.SyntaxError
		if err := json.Unmarshal(data, new(any)); errors.As(err, &se) {
			p.Message = "not valid JSON: " + se.Error()
			p.Line, p.Column = lineCol(data, se.Offset)
		}
		return nil, Problems{p}
	}
	return Parse(file, data)
}

// lineCol converts a byte offset into a 1-based line and column (in
// characters) of data.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:max(offset-1, 0)]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	return line, col
}

// Load reads and parses the definition at name in fsys (e.g. surveys.FS).
func Load(fsys fs.FS, name string) (*Definition, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, Problems{{File: name, Message: err.Error()}}
	}
	return Parse(name, data)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decode parses data into an unchecked Definition, reporting syntax and
// structure problems (unknown keys, wrong kinds of values) in the returned
// list. The Definition is nil when nothing could be read.
func decode(file string, data []byte) (*Definition, *problemList) {
	dc := &decoder{problemList: problemList{file: file}}
	if len(data) > MaxDefinitionSize {
		dc.probs = append(dc.probs, Problem{File: file, Message: fmt.Sprintf("definition is larger than %d bytes", MaxDefinitionSize)})
		return nil, &dc.problemList
	}
	if ps := badText(file, data); len(ps) > 0 {
		dc.probs = append(dc.probs, ps...)
		return nil, &dc.problemList
	}
	var root yaml.Node
	if err := safeYAML(data, &root); err != nil {
		dc.probs = append(dc.probs, syntaxProblem(file, err))
		return nil, &dc.problemList
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		dc.probs = append(dc.probs, Problem{File: file, Message: "empty definition"})
		return nil, &dc.problemList
	}
	if ps := badScalars(file, &root); len(ps) > 0 {
		dc.probs = append(dc.probs, ps...)
		return nil, &dc.problemList
	}
	d := dc.definition(root.Content[0])
	d.file = file
	if dc.failed[""] { // not even a mapping
		return nil, &dc.problemList
	}
	return d, &dc.problemList
}

// yamlParserErrors are the messages of yaml.v3's parser (as opposed to its
// scanner). For them yaml.v3 reports the 0-based line of the enclosing
// construct, and no line at all for the first line.
var yamlParserErrors = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected key",
	"did not find expected node content",
}

// syntaxProblem turns a yaml.v3 error into a Problem with a 1-based line.
// yaml.v3 gives no column.
func syntaxProblem(file string, err error) Problem {
	p := Problem{File: file, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = m[2]
	}
	if strings.HasPrefix(err.Error(), "yaml: ") && (p.Line == 0 || slices.Contains(yamlParserErrors, p.Message)) {
		p.Line++
	}
	return p
}

// safeYAML decodes the first document of data into n and rejects further
// documents. It turns a panic inside the YAML library into an error: the
// input comes from users.
func safeYAML(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot parse YAML: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(n); err != nil {
		if err == io.EOF {
			return nil
		}
		return err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return err
		}
		return fmt.Errorf("yaml: line %d: more than one document; a file holds one questionnaire", extra.Line)
	}
	return nil
}

// decoder turns yaml nodes into a Definition, strictly: every key must be
// known, every scalar of the right kind.
type decoder struct {
	problemList
}

// errorf records a problem at node n.
func (dc *decoder) errorf(n *yaml.Node, path, ctx, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if ctx != "" {
		msg = ctx + ": " + msg
	}
	p := Problem{File: dc.file, Path: path, Message: msg}
	if dc.failed == nil {
		dc.failed = map[string]bool{}
	}
	dc.failed[path] = true
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	dc.probs = append(dc.probs, p)
}

// usable reports whether n can be read, rejecting aliases (they would let a
// small file expand into a huge definition and are not needed).
func (dc *decoder) usable(n *yaml.Node, path, ctx string) bool {
	if n.Kind == yaml.AliasNode {
		dc.errorf(n, path, ctx, "anchors and aliases (*%s) are not supported", n.Value)
		return false
	}
	return true
}

// fields is a decoded mapping: its values by key, in source order.
type fields struct {
	node  *yaml.Node
	keys  []string
	value map[string]*yaml.Node
	key   map[string]*yaml.Node
}

func (f *fields) has(k string) bool { return f.value[k] != nil }

// mapping reads n as a mapping with string keys, reporting duplicate keys.
// It returns nil when n is not a mapping.
func (dc *decoder) mapping(n *yaml.Node, path, ctx, what string) *fields {
	if !dc.usable(n, path, ctx) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		dc.errorf(n, path, ctx, "%s must be a mapping, not %s", what, describe(n))
		return nil
	}
	f := &fields{node: n, value: map[string]*yaml.Node{}, key: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			dc.errorf(k, path, ctx, "keys must be plain names, not %s", describe(k))
			continue
		}
		if f.key[k.Value] != nil {
			dc.errorf(k, join(path, k.Value), ctx, "duplicate key %q (first at line %d)", k.Value, f.key[k.Value].Line)
			continue
		}
		f.keys = append(f.keys, k.Value)
		f.key[k.Value] = k
		f.value[k.Value] = v
	}
	return f
}

// only reports the keys of f that are not in allowed.
func (dc *decoder) only(f *fields, path, ctx string, allowed ...string) {
	for _, k := range f.keys {
		if !slices.Contains(allowed, k) {
			dc.errorf(f.key[k], join(path, k), ctx, "unknown key %q (known: %s)", k, strings.Join(allowed, ", "))
		}
	}
}

// record stores the positions of f and its values in a.
func record(a at, f *fields) {
	a[""] = pos{f.node.Line, f.node.Column}
	for k, v := range f.value {
		a[k] = pos{v.Line, v.Column}
	}
}

func (dc *decoder) sequence(n *yaml.Node, path, ctx, what string) []*yaml.Node {
	if !dc.usable(n, path, ctx) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		dc.errorf(n, path, ctx, "%s must be a list, not %s", what, describe(n))
		return nil
	}
	return n.Content
}

func (dc *decoder) str(n *yaml.Node, path, ctx, what string) string {
	if !dc.usable(n, path, ctx) {
		return ""
	}
	if !isStr(n) {
		dc.errorf(n, path, ctx, "%s must be a string, not %s", what, describe(n))
		return ""
	}
	return n.Value
}

// whole reads a whole number within ±maxWhole.
func (dc *decoder) whole(n *yaml.Node, path, ctx, what string) (int, bool) {
	if !dc.usable(n, path, ctx) {
		return 0, false
	}
	var v int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil || v > maxWhole || v < -maxWhole {
		dc.errorf(n, path, ctx, "%s must be a whole number, not %s", what, describe(n))
		return 0, false
	}
	return int(v), true
}

// number reads a finite number.
func (dc *decoder) number(n *yaml.Node, path, ctx, what string) (float64, bool) {
	if !dc.usable(n, path, ctx) {
		return 0, false
	}
	var v float64
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&v) != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		dc.errorf(n, path, ctx, "%s must be a number, not %s", what, describe(n))
		return 0, false
	}
	return v, true
}

func (dc *decoder) boolean(n *yaml.Node, path, ctx, what string) bool {
	if !dc.usable(n, path, ctx) {
		return false
	}
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		dc.errorf(n, path, ctx, "%s must be true or false, not %s", what, describe(n))
		return false
	}
	return v
}

// text reads a language → string mapping; field is its key in a.
func (dc *decoder) text(n *yaml.Node, path, ctx, field string, a at) Text {
	f := dc.mapping(n, path, ctx, field)
	if f == nil {
		return nil
	}
	t := Text{}
	for _, lang := range f.keys {
		v := f.value[lang]
		a[field+"."+lang] = pos{v.Line, v.Column}
		if !dc.usable(v, join(path, lang), ctx) {
			continue
		}
		if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
			dc.errorf(v, join(path, lang), ctx, "%s in %s must be text, not %s", field, lang, describe(v))
			continue
		}
		t[lang] = v.Value
	}
	return t
}

// wholes reads a list of whole numbers; element i is recorded as key[i].
func (dc *decoder) wholes(n *yaml.Node, path, ctx, key string, a at) []int {
	var out []int
	for i, e := range dc.sequence(n, path, ctx, key) {
		p := fmt.Sprintf("%s[%d]", path, i)
		if v, ok := dc.whole(e, p, ctx, key+" entry"); ok {
			a[fmt.Sprintf("%s[%d]", key, len(out))] = pos{e.Line, e.Column}
			out = append(out, v)
		}
	}
	return out
}

func (dc *decoder) strs(n *yaml.Node, path, ctx, key string, a at) []string {
	var out []string
	for i, e := range dc.sequence(n, path, ctx, key) {
		p := fmt.Sprintf("%s[%d]", path, i)
		if v := dc.str(e, p, ctx, key+" entry"); isStr(e) {
			a[fmt.Sprintf("%s[%d]", key, len(out))] = pos{e.Line, e.Column}
			out = append(out, v)
		}
	}
	return out
}

func isStr(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" }

// describe names the kind of a node for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "empty"
		case "!!str":
			return fmt.Sprintf("the text %q", clip(n.Value))
		default:
			return fmt.Sprintf("%q", clip(n.Value))
		}
	}
	return "nothing"
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (dc *decoder) definition(n *yaml.Node) *Definition {
	d := &Definition{at: at{}}
	f := dc.mapping(n, "", "", "a questionnaire")
	if f == nil {
		return d
	}
	record(d.at, f)
	dc.only(f, "", "", "id", "title", "intro", "languages", "sections", "indicators", "composite")
	if v := f.value["id"]; v != nil {
		d.ID = dc.str(v, "id", "", "id")
	}
	if v := f.value["title"]; v != nil {
		d.Title = dc.text(v, "title", "", "title", d.at)
	}
	if v := f.value["intro"]; v != nil {
		d.Intro = dc.text(v, "intro", "", "intro", d.at)
	}
	if v := f.value["languages"]; v != nil {
		d.Languages = dc.strs(v, "languages", "", "languages", d.at)
		if d.Languages == nil {
			d.Languages = []string{}
		}
	}
	if v := f.value["sections"]; v != nil {
		for i, sn := range dc.sequence(v, "sections", "", "sections") {
			d.Sections = append(d.Sections, dc.section(sn, fmt.Sprintf("sections[%d]", i)))
		}
	}
	if v := f.value["indicators"]; v != nil {
		for i, in := range dc.sequence(v, "indicators", "", "indicators") {
			d.Indicators = append(d.Indicators, dc.indicator(in, fmt.Sprintf("indicators[%d]", i)))
		}
	}
	if v := f.value["composite"]; v != nil {
		d.Composite = dc.composite(v, "composite")
	}
	return d
}

// peekString returns the string value of key in f without reporting
// anything, to name the context of later messages ("question A3").
func peekString(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && isStr(n.Content[i+1]) {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func (dc *decoder) section(n *yaml.Node, path string) *Section {
	s := &Section{at: at{}}
	ctx := "section " + orElse(peekString(n, "id"), path)
	f := dc.mapping(n, path, ctx, "a section")
	if f == nil {
		return s
	}
	record(s.at, f)
	dc.only(f, path, ctx, "id", "title", "show_if", "questions")
	if v := f.value["id"]; v != nil {
		s.ID = dc.str(v, join(path, "id"), ctx, "id")
	}
	if v := f.value["title"]; v != nil {
		s.Title = dc.text(v, join(path, "title"), ctx, "title", s.at)
	}
	if v := f.value["show_if"]; v != nil {
		s.ShowIf = dc.condition(v, join(path, "show_if"), ctx, 0)
	}
	if v := f.value["questions"]; v != nil {
		for i, qn := range dc.sequence(v, join(path, "questions"), ctx, "questions") {
			s.Questions = append(s.Questions, dc.question(qn, fmt.Sprintf("%s.questions[%d]", path, i)))
		}
	}
	return s
}

// orElse returns a, or b when a is empty.
func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (dc *decoder) question(n *yaml.Node, path string) *Question {
	q := &Question{at: at{}}
	ctx := "question " + orElse(peekString(n, "code"), path)
	f := dc.mapping(n, path, ctx, "a question")
	if f == nil {
		return q
	}
	record(q.at, f)
	dc.only(f, path, ctx, "code", "type", "label", "help", "required", "options", "min", "max", "max_length", "show_if", "end_if")
	if v := f.value["code"]; v != nil {
		q.Code = dc.str(v, join(path, "code"), ctx, "code")
	}
	if v := f.value["type"]; v != nil {
		q.Type = enum(dc, v, path, ctx, "type", questionTypes)
	}
	if v := f.value["label"]; v != nil {
		q.Label = dc.text(v, join(path, "label"), ctx, "label", q.at)
	}
	if v := f.value["help"]; v != nil {
		q.Help = dc.text(v, join(path, "help"), ctx, "help", q.at)
	}
	if v := f.value["required"]; v != nil {
		q.Required = dc.boolean(v, join(path, "required"), ctx, "required")
	}
	if v := f.value["options"]; v != nil {
		for i, on := range dc.sequence(v, join(path, "options"), ctx, "options") {
			q.Options = append(q.Options, dc.option(on, fmt.Sprintf("%s.options[%d]", path, i), ctx))
		}
		if q.Options == nil {
			q.Options = []*Option{}
		}
	}
	for _, k := range []string{"min", "max"} {
		if v := f.value[k]; v != nil {
			if x, ok := dc.whole(v, join(path, k), ctx, k); ok {
				if k == "min" {
					q.Min = &x
				} else {
					q.Max = &x
				}
			}
		}
	}
	if v := f.value["max_length"]; v != nil {
		if x, ok := dc.whole(v, join(path, "max_length"), ctx, "max_length"); ok {
			if x <= 0 {
				dc.errorf(v, join(path, "max_length"), ctx, "max_length must be positive")
			}
			q.MaxLength = x
		}
	}
	if v := f.value["show_if"]; v != nil {
		q.ShowIf = dc.condition(v, join(path, "show_if"), ctx, 0)
	}
	if v := f.value["end_if"]; v != nil {
		q.EndIf = dc.endRule(v, join(path, "end_if"), ctx)
	}
	return q
}

// enum reads the string field of node v that must be one of known, and
// reports any other value with the list of known ones.
func enum[T ~string](dc *decoder, v *yaml.Node, path, ctx, field string, known []T) T {
	t := T(dc.str(v, join(path, field), ctx, field))
	if t != "" && !slices.Contains(known, t) {
		dc.errorf(v, join(path, field), ctx, "unknown %s %q (known: %s)", field, t, joinAny(known))
	}
	return t
}

func joinAny[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

func (dc *decoder) option(n *yaml.Node, path, qctx string) *Option {
	o := &Option{at: at{}}
	f := dc.mapping(n, path, qctx, "an option")
	if f == nil {
		return o
	}
	ctx := qctx + ": option " + path[strings.LastIndexByte(path, '[')+1:len(path)-1]
	if v := f.value["code"]; v != nil && v.Kind == yaml.ScalarNode {
		ctx = qctx + ": option " + v.Value
	}
	record(o.at, f)
	dc.only(f, path, ctx, "code", "label", "exclusive", "special")
	if v := f.value["code"]; v != nil {
		o.Code, _ = dc.whole(v, join(path, "code"), ctx, "code")
	}
	if v := f.value["label"]; v != nil {
		o.Label = dc.text(v, join(path, "label"), ctx, "label", o.at)
	}
	if v := f.value["exclusive"]; v != nil {
		o.Exclusive = dc.boolean(v, join(path, "exclusive"), ctx, "exclusive")
	}
	if v := f.value["special"]; v != nil {
		s := Special(dc.str(v, join(path, "special"), ctx, "special"))
		if s != "" && s != SpecialDontKnow && s != SpecialRefused {
			dc.errorf(v, join(path, "special"), ctx, "unknown special %q (known: %s, %s)", s, SpecialDontKnow, SpecialRefused)
		}
		o.Special = s
	}
	return o
}

func (dc *decoder) endRule(n *yaml.Node, path, qctx string) *EndRule {
	e := &EndRule{at: at{}}
	ctx := qctx + ": end_if"
	f := dc.mapping(n, path, ctx, "end_if")
	if f == nil {
		return e
	}
	record(e.at, f)
	dc.only(f, path, ctx, "when", "disposition", "message")
	if v := f.value["when"]; v != nil {
		e.When = dc.condition(v, join(path, "when"), ctx, 0)
	}
	if v := f.value["disposition"]; v != nil {
		e.Disposition = enum(dc, v, path, ctx, "disposition", dispositions)
	}
	if v := f.value["message"]; v != nil {
		e.Message = dc.text(v, join(path, "message"), ctx, "message", e.at)
	}
	return e
}

func (dc *decoder) indicator(n *yaml.Node, path string) *Indicator {
	ind := &Indicator{at: at{}}
	ctx := "indicator " + orElse(peekString(n, "id"), path)
	f := dc.mapping(n, path, ctx, "an indicator")
	if f == nil {
		return ind
	}
	record(ind.at, f)
	dc.only(f, path, ctx, "id", "kind", "role", "label", "question", "positive", "scores", "dont_know", "refused", "excluded", "of", "target")
	if v := f.value["id"]; v != nil {
		ind.ID = dc.str(v, join(path, "id"), ctx, "id")
	}
	if v := f.value["kind"]; v != nil {
		ind.Kind = enum(dc, v, path, ctx, "kind", indicatorKinds)
	}
	if v := f.value["role"]; v != nil {
		ind.Role = enum(dc, v, path, ctx, "role", roles)
	}
	if v := f.value["label"]; v != nil {
		ind.Label = dc.text(v, join(path, "label"), ctx, "label", ind.at)
	}
	if v := f.value["question"]; v != nil {
		ind.Question = dc.str(v, join(path, "question"), ctx, "question")
	}
	if v := f.value["positive"]; v != nil {
		ind.Positive = dc.wholes(v, join(path, "positive"), ctx, "positive", ind.at)
	}
	if v := f.value["excluded"]; v != nil {
		ind.Excluded = dc.wholes(v, join(path, "excluded"), ctx, "excluded", ind.at)
	}
	if v := f.value["scores"]; v != nil {
		ind.Scores = dc.scores(v, join(path, "scores"), ctx, ind.at)
	}
	for _, k := range []string{"dont_know", "refused"} {
		if v := f.value[k]; v != nil {
			t := Treatment(dc.str(v, join(path, k), ctx, k))
			if t != "" && t != CountNegative && t != Exclude {
				dc.errorf(v, join(path, k), ctx, "%s must be %q or %q, not %q", k, CountNegative, Exclude, t)
			}
			if k == "dont_know" {
				ind.DontKnow = t
			} else {
				ind.Refused = t
			}
		}
	}
	if v := f.value["of"]; v != nil {
		ind.Of = dc.strs(v, join(path, "of"), ctx, "of", ind.at)
	}
	if v := f.value["target"]; v != nil {
		if x, ok := dc.number(v, join(path, "target"), ctx, "target"); ok {
			ind.Target = &x
		}
	}
	return ind
}

// scores reads a code → points mapping. Keys may be numbers (YAML) or
// strings holding numbers (JSON).
func (dc *decoder) scores(n *yaml.Node, path, ctx string, a at) map[int]float64 {
	f := dc.mapping(n, path, ctx, "scores")
	if f == nil {
		return nil
	}
	m := map[int]float64{}
	for _, k := range f.keys {
		c, err := strconv.Atoi(strings.TrimSpace(k))
		if err != nil || c > maxWhole || c < -maxWhole {
			dc.errorf(f.key[k], join(path, k), ctx, "scores keys must be option codes, not %q", clip(k))
			continue
		}
		if _, dup := m[c]; dup {
			dc.errorf(f.key[k], join(path, k), ctx, "scores: code %d given twice", c)
			continue
		}
		v := f.value[k]
		a["scores."+strconv.Itoa(c)] = pos{f.key[k].Line, f.key[k].Column}
		if x, ok := dc.number(v, join(path, k), ctx, "score"); ok {
			m[c] = x
		}
	}
	return m
}

func (dc *decoder) composite(n *yaml.Node, path string) *Composite {
	c := &Composite{at: at{}}
	ctx := "composite"
	f := dc.mapping(n, path, ctx, "composite")
	if f == nil {
		return c
	}
	record(c.at, f)
	dc.only(f, path, ctx, "label", "weights", "target")
	if v := f.value["label"]; v != nil {
		c.Label = dc.text(v, join(path, "label"), ctx, "label", c.at)
	}
	if v := f.value["weights"]; v != nil {
		if wf := dc.mapping(v, join(path, "weights"), ctx, "weights"); wf != nil {
			c.Weights = map[string]float64{}
			for _, k := range wf.keys {
				c.at["weights."+k] = pos{wf.key[k].Line, wf.key[k].Column}
				if x, ok := dc.number(wf.value[k], join(path, "weights."+k), ctx, "weight"); ok {
					c.Weights[k] = x
				}
			}
		}
	}
	if v := f.value["target"]; v != nil {
		if x, ok := dc.number(v, join(path, "target"), ctx, "target"); ok {
			c.Target = &x
		}
	}
	return c
}
