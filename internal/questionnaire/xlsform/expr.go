package xlsform

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// The expressions of the relevant, end_if and constraint columns are a
// small part of XPath, read by a tokenizer and a recursive-descent parser
// into a syntax tree (node), which conversion turns into minyi's
// declarative conditions. Grammar, lowest precedence first:
//
//	expr    = and { "or" and }
//	and     = cmp { "and" cmp }
//	cmp     = primary [ ("=" | "!=" | "<" | "<=" | ">" | ">=") primary ]
//	primary = "(" expr ")" | NAME "(" [ expr { "," expr } ] ")"
//	        | "${" NAME "}" | "." | STRING | NUMBER

type tokKind int

const (
	tEOF  tokKind = iota
	tRef          // ${name}
	tStr          // 'text' or "text"
	tNum          // 12, -3, 0.5
	tName         // and, or, selected, string-length …
	tOp           // = != < <= > >=
	tLParen
	tRParen
	tComma
	tDot
)

type token struct {
	kind       tokKind
	text       string // the name, the string's content, the number or operator
	start, end int    // byte offsets in the expression
}

// exprError is a part of an expression that could not be read, with why.
type exprError struct {
	part    string
	en, zh  string
	noQuote bool // the part is not worth quoting (the whole is empty)
}

func (e *exprError) Error() string { return e.en }

func errAt(src string, start, end int, en, zh string) *exprError {
	start, end = max(0, min(start, len(src))), max(0, min(end, len(src)))
	part := strings.TrimSpace(src[start:end])
	if part == "" {
		part = strings.TrimSpace(src[start:])
	}
	return &exprError{part: part, en: en, zh: zh}
}

func tokenize(src string) ([]token, *exprError) {
	var toks []token
	i := 0
	operandBefore := func() bool {
		if len(toks) == 0 {
			return false
		}
		switch toks[len(toks)-1].kind {
		case tRef, tStr, tNum, tRParen, tDot:
			return true
		}
		return false
	}
	for i < len(src) {
		r, n := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			i += n
		case strings.HasPrefix(src[i:], "${"):
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return nil, errAt(src, i, len(src), "a ${…} reference is not closed with }", "${…} 引用缺少右花括号 }")
			}
			name := strings.TrimSpace(src[i+2 : i+end])
			if name == "" {
				return nil, errAt(src, i, i+end+1, "a ${} reference names no question", "${} 引用没有写题目名称")
			}
			toks = append(toks, token{tRef, name, i, i + end + 1})
			i += end + 1
		case r == '\'' || r == '"' || r == '‘' || r == '’' || r == '“' || r == '”':
			closeWith := map[rune]string{'\'': "'", '"': `"`, '‘': "’", '’': "’", '“': "”", '”': "”"}[r]
			end := strings.Index(src[i+n:], closeWith)
			if end < 0 {
				return nil, errAt(src, i, len(src), "a quoted text is not closed", "引号中的文字缺少结束引号")
			}
			toks = append(toks, token{tStr, src[i+n : i+n+end], i, i + n + end + len(closeWith)})
			i += n + end + len(closeWith)
		case r >= '0' && r <= '9' || (r == '-' && !operandBefore() && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9'):
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			toks = append(toks, token{tNum, src[i:j], i, j})
			i = j
		case r == '.':
			toks = append(toks, token{tDot, ".", i, i + 1})
			i++
		case r == '(' || r == '（':
			toks = append(toks, token{tLParen, "(", i, i + n})
			i += n
		case r == ')' || r == '）':
			toks = append(toks, token{tRParen, ")", i, i + n})
			i += n
		case r == ',' || r == '，':
			toks = append(toks, token{tComma, ",", i, i + n})
			i += n
		case r == '=' || r == '<' || r == '>' || r == '!':
			op := string(r)
			if i+1 < len(src) && src[i+1] == '=' {
				op += "="
			}
			if op == "!" {
				return nil, errAt(src, i, i+1, "! alone is not an operator (use != or not(…))", "“!”不是运算符（请用 != 或 not(…)）")
			}
			toks = append(toks, token{tOp, op, i, i + len(op)})
			i += len(op)
		case unicode.IsLetter(r) || r == '_':
			j := i
			for j < len(src) {
				r2, n2 := utf8.DecodeRuneInString(src[j:])
				if !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '_' || r2 == '-' || r2 == ':') {
					break
				}
				j += n2
			}
			toks = append(toks, token{tName, src[i:j], i, j})
			i = j
		default:
			return nil, errAt(src, i, i+n, fmt.Sprintf("unexpected character %q", r), fmt.Sprintf("无法识别的字符 %q", r))
		}
	}
	return append(toks, token{kind: tEOF, start: len(src), end: len(src)}), nil
}

type nodeKind int

const (
	nOr nodeKind = iota
	nAnd
	nCmp   // op, kids[0] op kids[1]
	nCall  // name(kids…)
	nParen // ( kids[0] )
	nRef   // ${name}
	nStr
	nNum
	nDot
)

type node struct {
	kind       nodeKind
	text       string // operator, function or question name, literal
	kids       []*node
	start, end int
}

type parser struct {
	src  string
	toks []token
	pos  int
}

// parseExpr reads src into a syntax tree.
func parseExpr(src string) (*node, *exprError) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	if p.peek().kind == tEOF {
		return nil, &exprError{part: src, en: "the expression is empty", zh: "表达式为空", noQuote: true}
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, errAt(src, t.start, len(src), "unexpected text after a complete expression", "完整的表达式后面还有多余的内容")
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }

func (p *parser) chain(word string, kind nodeKind, sub func() (*node, *exprError)) (*node, *exprError) {
	first, err := sub()
	if err != nil {
		return nil, err
	}
	items := []*node{first}
	for p.peek().kind == tName && p.peek().text == word {
		p.next()
		n, err := sub()
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	if len(items) == 1 {
		return first, nil
	}
	return &node{kind: kind, text: word, kids: items, start: first.start, end: items[len(items)-1].end}, nil
}

func (p *parser) or() (*node, *exprError)  { return p.chain("or", nOr, p.and) }
func (p *parser) and() (*node, *exprError) { return p.chain("and", nAnd, p.cmp) }

func (p *parser) cmp() (*node, *exprError) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tOp {
		return left, nil
	}
	op := p.next()
	right, err := p.primary()
	if err != nil {
		return nil, err
	}
	return &node{kind: nCmp, text: op.text, kids: []*node{left, right}, start: left.start, end: right.end}, nil
}

func (p *parser) primary() (*node, *exprError) {
	t := p.next()
	switch t.kind {
	case tRef:
		return &node{kind: nRef, text: t.text, start: t.start, end: t.end}, nil
	case tStr:
		return &node{kind: nStr, text: t.text, start: t.start, end: t.end}, nil
	case tNum:
		return &node{kind: nNum, text: t.text, start: t.start, end: t.end}, nil
	case tDot:
		return &node{kind: nDot, text: ".", start: t.start, end: t.end}, nil
	case tLParen:
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		c := p.next()
		if c.kind != tRParen {
			return nil, errAt(p.src, t.start, c.end, "a parenthesis is not closed", "括号没有闭合")
		}
		return &node{kind: nParen, kids: []*node{inner}, start: t.start, end: c.end}, nil
	case tName:
		if p.peek().kind != tLParen {
			return nil, errAt(p.src, t.start, t.end, fmt.Sprintf("%q is not a question reference, text or number (write ${%s} for a question)", t.text, t.text),
				fmt.Sprintf("“%s”不是题目引用、文字或数字（题目请写成 ${%s}）", t.text, t.text))
		}
		open := p.next()
		call := &node{kind: nCall, text: t.text, start: t.start}
		if p.peek().kind != tRParen {
			for {
				arg, err := p.or()
				if err != nil {
					return nil, err
				}
				call.kids = append(call.kids, arg)
				if p.peek().kind != tComma {
					break
				}
				p.next()
			}
		}
		c := p.next()
		if c.kind != tRParen {
			return nil, errAt(p.src, t.start, c.end, "the parenthesis of "+t.text+"( is not closed", t.text+"( 的括号没有闭合")
		}
		_ = open
		call.end = c.end
		return call, nil
	case tEOF:
		return nil, &exprError{part: strings.TrimSpace(p.src), en: "the expression ends too early", zh: "表达式不完整"}
	}
	return nil, errAt(p.src, t.start, t.end, "expected a question, a text or a number here", "此处应为题目、文字或数字")
}

// scope is what conversion knows about the questions before the current
// row: each one's type, options (choice name → code) and range.
type scope struct {
	questions map[string]*qinfo
	later     map[string]bool // names of questions further down the sheet
	self      string          // the current question, which "." names; "" for a group
	selfOK    bool            // an end rule may test its own question
}

type qinfo struct {
	q     *questionnaire.Question
	names map[string]int // choice name → code
}

type converter struct {
	src string
	sc  *scope
}

// convert turns an expression into a condition.
func (sc *scope) convert(src string) (*questionnaire.Condition, *exprError) {
	n, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	cv := &converter{src: src, sc: sc}
	return cv.cond(n)
}

func (cv *converter) errf(n *node, en, zh string) *exprError {
	return errAt(cv.src, n.start, n.end, en, zh)
}

func (cv *converter) cond(n *node) (*questionnaire.Condition, *exprError) {
	switch n.kind {
	case nParen:
		return cv.cond(n.kids[0])
	case nOr, nAnd:
		if c, ok, err := cv.collapse(n); ok || err != nil {
			return c, err
		}
		identity := "false"
		if n.kind == nAnd {
			identity = "true"
		}
		var list []*questionnaire.Condition
		for _, k := range n.kids {
			// true() in an and, false() in an or, change nothing: the
			// export writes them to keep an all or any of one condition.
			if k.kind == nCall && k.text == identity && len(k.kids) == 0 {
				continue
			}
			c, err := cv.cond(k)
			if err != nil {
				return nil, err
			}
			list = append(list, c)
		}
		if n.kind == nAnd {
			return &questionnaire.Condition{All: list}, nil
		}
		return &questionnaire.Condition{Any: list}, nil
	case nCmp:
		return cv.comparison(n)
	case nCall:
		return cv.call(n)
	case nRef, nDot:
		return nil, cv.errf(n, "a question alone is not a condition: compare it, e.g. ${q} = 1 or ${q} != ''",
			"单独的题目不是条件：请加上比较，例如 ${q} = 1 或 ${q} != ''")
	}
	return nil, cv.errf(n, "a text or number alone is not a condition", "单独的文字或数字不是条件")
}

// ref resolves a reference node (${q} or .) to an earlier question.
func (cv *converter) ref(n *node) (*qinfo, *exprError) {
	name := n.text
	if n.kind == nDot {
		if cv.sc.self == "" || !cv.sc.selfOK {
			return nil, cv.errf(n, ". (this question) cannot be used here; name the question with ${…}", "此处不能用“.”（本题）；请用 ${…} 写出题目名称")
		}
		name = cv.sc.self
	}
	if name == cv.sc.self && !cv.sc.selfOK {
		return nil, cv.errf(n, "${"+name+"} is the question itself", "${"+name+"} 是本题自身")
	}
	qi := cv.sc.questions[name]
	switch {
	case qi != nil:
		return qi, nil
	case cv.sc.later[name] || name == cv.sc.self:
		return nil, cv.errf(n, "${"+name+"} is a later question; a condition can only test earlier ones",
			"${"+name+"} 是后面的题目；条件只能引用前面的题目")
	}
	return nil, cv.errf(n, "${"+name+"} is not a question of this form", "${"+name+"} 不是本问卷中的题目")
}

func isRef(n *node) bool { return n.kind == nRef || n.kind == nDot }
func isLit(n *node) bool { return n.kind == nStr || n.kind == nNum }

// operands orders a comparison as reference op literal, flipping the
// operator when the literal comes first.
func operands(n *node) (ref, lit *node, op string, ok bool) {
	a, b, op := n.kids[0], n.kids[1], n.text
	switch {
	case (isRef(a) || isLength(a)) && isLit(b):
		return a, b, op, true
	case isLit(a) && (isRef(b) || isLength(b)):
		flip := map[string]string{"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
		return b, a, flip[op], true
	}
	return nil, nil, op, false
}

func isLength(n *node) bool {
	return n.kind == nCall && n.text == "string-length" && len(n.kids) == 1 && isRef(n.kids[0])
}

// value resolves a literal compared with question qi: a choice name of its
// list, or a whole number for an integer question.
func (cv *converter) value(qi *qinfo, lit *node) (int, *exprError) {
	q := qi.q
	if q.Type.IsChoice() {
		if code, ok := qi.names[lit.text]; ok {
			return code, nil
		}
		return 0, cv.errf(lit, fmt.Sprintf("%q is not a choice of %s", lit.text, q.Code), fmt.Sprintf("“%s”不是 %s 的选项", lit.text, q.Code))
	}
	v, err := strconv.Atoi(strings.TrimSpace(lit.text))
	if err != nil {
		return 0, cv.errf(lit, fmt.Sprintf("%s is an integer question; %q is not a whole number", q.Code, lit.text),
			fmt.Sprintf("%s 是整数题；“%s”不是整数", q.Code, lit.text))
	}
	return v, nil
}

func (cv *converter) comparison(n *node) (*questionnaire.Condition, *exprError) {
	refN, lit, op, ok := operands(n)
	if !ok {
		for _, k := range n.kids {
			if k.kind == nCall && !isLength(k) {
				return nil, cv.errf(k, "the function "+k.text+"() is not supported here (minyi reads =, !=, <, <=, >, >=, selected, not, string-length, and, or)",
					"此处不支持函数 "+k.text+"()（可用 =、!=、<、<=、>、>=、selected、not、string-length、and、or）")
			}
		}
		return nil, cv.errf(n, "a comparison needs a question on one side and a text or number on the other",
			"比较的一边应是题目，另一边应是文字或数字")
	}
	if isLength(refN) {
		qi, err := cv.ref(refN.kids[0])
		if err != nil {
			return nil, err
		}
		answered := &questionnaire.Condition{Answered: qi.q.Code}
		switch {
		case lit.text == "0" && (op == ">" || op == "!="), lit.text == "1" && op == ">=":
			return answered, nil
		case lit.text == "0" && (op == "=" || op == "<="), lit.text == "1" && op == "<":
			return &questionnaire.Condition{Not: answered}, nil
		}
		return nil, cv.errf(n, "string-length(…) can only test whether a question is answered (> 0)", "string-length(…) 只能用来判断是否已回答（> 0）")
	}
	qi, err := cv.ref(refN)
	if err != nil {
		return nil, err
	}
	q := qi.q
	if lit.kind == nStr && lit.text == "" {
		switch op {
		case "!=":
			return &questionnaire.Condition{Answered: q.Code}, nil
		case "=":
			return &questionnaire.Condition{Not: &questionnaire.Condition{Answered: q.Code}}, nil
		}
		return nil, cv.errf(n, "an empty text can only be tested with = or !=", "空文字只能用 = 或 != 比较")
	}
	if q.Type == questionnaire.TypeText {
		return nil, cv.errf(n, q.Code+" is a text question: only whether it is answered can be tested (${"+q.Code+"} != '')",
			q.Code+" 是文字题：只能判断是否已回答（${"+q.Code+"} != ''）")
	}
	if q.Type == questionnaire.TypeMultipleChoice {
		return nil, cv.errf(n, q.Code+" is a select_multiple question: test a choice with selected(${"+q.Code+"}, 'name')",
			q.Code+" 是多选题：请用 selected(${"+q.Code+"}, '选项') 判断某个选项")
	}
	switch op {
	case "=", "!=":
		v, err := cv.value(qi, lit)
		if err != nil {
			return nil, err
		}
		eq := &questionnaire.Condition{Equals: &questionnaire.Equals{Question: q.Code, Value: v}}
		if op == "!=" {
			return &questionnaire.Condition{Not: eq}, nil
		}
		return eq, nil
	}
	lo, hi, err := cv.bound(qi, lit, op)
	if err != nil {
		return nil, err
	}
	return cv.within(n, qi, lo, hi)
}

// bound returns the range that "question op lit" allows, filling the open
// side from the question's own range (integers) or options (choices).
func (cv *converter) bound(qi *qinfo, lit *node, op string) (lo, hi int, err *exprError) {
	v, perr := strconv.Atoi(strings.TrimSpace(lit.text))
	if perr != nil {
		return 0, 0, cv.errf(lit, fmt.Sprintf("%q is not a whole number", lit.text), fmt.Sprintf("“%s”不是整数", lit.text))
	}
	lo, hi = math.MinInt32, math.MaxInt32
	q := qi.q
	if q.Type == questionnaire.TypeInteger {
		if q.Min == nil || q.Max == nil {
			return 0, 0, cv.errf(lit, q.Code+" has no range (constraint) to compare with", q.Code+" 没有取值范围（constraint），无法比较大小")
		}
		lo, hi = *q.Min, *q.Max
	}
	switch op {
	case ">":
		lo = v + 1
	case ">=":
		lo = v
	case "<":
		hi = v - 1
	case "<=":
		hi = v
	}
	return lo, hi, nil
}

// within is "lo ≤ question ≤ hi": between for an integer question, in
// over the options for a choice.
func (cv *converter) within(n *node, qi *qinfo, lo, hi int) (*questionnaire.Condition, *exprError) {
	q := qi.q
	if q.Type == questionnaire.TypeInteger {
		if lo > hi {
			return nil, cv.errf(n, fmt.Sprintf("no answer of %s (%d to %d) can meet this", q.Code, *q.Min, *q.Max),
				fmt.Sprintf("%s 的任何答案（%d 至 %d）都不满足此条件", q.Code, *q.Min, *q.Max))
		}
		return &questionnaire.Condition{Between: &questionnaire.Between{Question: q.Code, Min: lo, Max: hi}}, nil
	}
	var codes []int
	for _, o := range q.Options {
		if lo <= o.Code && o.Code <= hi {
			codes = append(codes, o.Code)
		}
	}
	if len(codes) == 0 {
		return nil, cv.errf(n, "no choice of "+q.Code+" meets this comparison", q.Code+" 没有满足此比较的选项")
	}
	return &questionnaire.Condition{In: &questionnaire.In{Question: q.Code, Values: codes}}, nil
}

func (cv *converter) call(n *node) (*questionnaire.Condition, *exprError) {
	switch n.text {
	case "not":
		if len(n.kids) != 1 {
			return nil, cv.errf(n, "not(…) takes one condition", "not(…) 只能有一个条件")
		}
		c, err := cv.cond(n.kids[0])
		if err != nil {
			return nil, err
		}
		return &questionnaire.Condition{Not: c}, nil
	case "selected":
		if len(n.kids) != 2 || !isRef(n.kids[0]) || !isLit(n.kids[1]) {
			return nil, cv.errf(n, "selected takes a question and a choice name: selected(${q}, 'name')", "selected 的写法是 selected(${题目}, '选项')")
		}
		qi, err := cv.ref(n.kids[0])
		if err != nil {
			return nil, err
		}
		if !qi.q.Type.IsChoice() {
			return nil, cv.errf(n, qi.q.Code+" is not a select question", qi.q.Code+" 不是选择题")
		}
		v, err := cv.value(qi, n.kids[1])
		if err != nil {
			return nil, err
		}
		return &questionnaire.Condition{Equals: &questionnaire.Equals{Question: qi.q.Code, Value: v}}, nil
	}
	return nil, cv.errf(n, "the function "+n.text+"() is not supported here (minyi reads =, !=, <, <=, >, >=, selected, not, string-length, and, or)",
		"此处不支持函数 "+n.text+"()（可用 =、!=、<、<=、>、>=、selected、not、string-length、and、or）")
}

// equality returns the question and literal of an equality test: q = v
// or selected(q, v).
func equality(n *node) (ref, lit *node, ok bool) {
	switch n.kind {
	case nCmp:
		r, l, op, ok := operands(n)
		if !ok || op != "=" || !isRef(r) || (l.kind == nStr && l.text == "") {
			return nil, nil, false
		}
		return r, l, true
	case nCall:
		if n.text == "selected" && len(n.kids) == 2 && isRef(n.kids[0]) && isLit(n.kids[1]) {
			return n.kids[0], n.kids[1], true
		}
	}
	return nil, nil, false
}

// collapse reads two shapes as one condition: an or of equality tests of
// one question ("${q} = 4 or ${q} = 5") is in, and an and of a lower and an
// upper bound of one question is between (for a choice: in over the codes
// in range). Parenthesised operands are kept apart, so "(${q} = 4) or
// (${q} = 5)" stays an any of two equals.
func (cv *converter) collapse(n *node) (*questionnaire.Condition, bool, *exprError) {
	if n.kind == nOr {
		var name string
		var lits []*node
		for _, k := range n.kids {
			r, l, ok := equality(k)
			if !ok || (name != "" && r.text != name) {
				return nil, false, nil
			}
			name = r.text
			lits = append(lits, l)
		}
		qi, err := cv.ref(n.kids[0].refNode())
		if err != nil {
			return nil, false, err
		}
		if qi.q.Type == questionnaire.TypeMultipleChoice && n.kids[0].kind == nCmp || qi.q.Type == questionnaire.TypeText {
			return nil, false, nil // conversion names the problem
		}
		in := &questionnaire.In{Question: qi.q.Code}
		for _, l := range lits {
			v, err := cv.value(qi, l)
			if err != nil {
				return nil, false, err
			}
			if !slices.Contains(in.Values, v) { // "${q} = 7 or ${q} = 7" is in [7]
				in.Values = append(in.Values, v)
			}
		}
		return &questionnaire.Condition{In: in}, true, nil
	}
	if len(n.kids) != 2 {
		return nil, false, nil
	}
	var lower, upper *node
	var lowOp, upOp string
	for _, k := range n.kids {
		if k.kind != nCmp {
			return nil, false, nil
		}
		r, _, op, ok := operands(k)
		if !ok || !isRef(r) {
			return nil, false, nil
		}
		switch op {
		case ">", ">=":
			lower, lowOp = k, op
		case "<", "<=":
			upper, upOp = k, op
		}
	}
	if lower == nil || upper == nil || lower.refNode().text != upper.refNode().text {
		return nil, false, nil
	}
	qi, err := cv.ref(lower.refNode())
	if err != nil {
		return nil, false, err
	}
	if qi.q.Type == questionnaire.TypeMultipleChoice || qi.q.Type == questionnaire.TypeText {
		return nil, false, nil
	}
	_, l1, _, _ := operands(lower)
	_, l2, _, _ := operands(upper)
	lo, _, err := cv.bound(qi, l1, lowOp)
	if err != nil {
		return nil, false, err
	}
	_, hi, err := cv.bound(qi, l2, upOp)
	if err != nil {
		return nil, false, err
	}
	c, err := cv.within(n, qi, lo, hi)
	return c, err == nil, err
}

// refNode returns the question reference of a comparison or selected().
func (n *node) refNode() *node {
	switch n.kind {
	case nCmp:
		r, _, _, _ := operands(n)
		return r
	case nCall:
		return n.kids[0]
	}
	return n
}

// rangeConstraint reads an integer question's constraint ". >= a and . <=
// b" (either order, > and < allowed).
func rangeConstraint(src string) (lo, hi int, err *exprError) {
	bad := &exprError{part: strings.TrimSpace(src),
		en: "the constraint is not a range of the form . >= a and . <= b",
		zh: "约束不是 . >= a and . <= b 形式的取值范围"}
	n, perr := parseExpr(src)
	if perr != nil {
		return 0, 0, perr
	}
	if n.kind == nParen {
		n = n.kids[0]
	}
	if n.kind != nAnd || len(n.kids) != 2 {
		return 0, 0, bad
	}
	haveLo, haveHi := false, false
	for _, k := range n.kids {
		if k.kind != nCmp {
			return 0, 0, bad
		}
		r, l, op, ok := operands(k)
		if !ok || r.kind != nDot || l.kind != nNum {
			return 0, 0, bad
		}
		v, e := strconv.Atoi(l.text)
		if e != nil {
			return 0, 0, &exprError{part: l.text, en: "a bound of the range is not a whole number", zh: "取值范围的界限不是整数"}
		}
		switch op {
		case ">=":
			lo, haveLo = v, true
		case ">":
			lo, haveLo = v+1, true
		case "<=":
			hi, haveHi = v, true
		case "<":
			hi, haveHi = v-1, true
		default:
			return 0, 0, bad
		}
	}
	if !haveLo || !haveHi {
		return 0, 0, bad
	}
	return lo, hi, nil
}

// lengthConstraint reads a text question's constraint "string-length(.) <= n".
func lengthConstraint(src string) (int, *exprError) {
	bad := &exprError{part: strings.TrimSpace(src),
		en: "a text question's constraint must be string-length(.) <= n",
		zh: "文字题的约束应写成 string-length(.) <= n"}
	n, perr := parseExpr(src)
	if perr != nil {
		return 0, perr
	}
	if n.kind != nCmp {
		return 0, bad
	}
	r, l, op, ok := operands(n)
	if !ok || !isLength(r) || r.kids[0].kind != nDot || l.kind != nNum {
		return 0, bad
	}
	v, e := strconv.Atoi(l.text)
	if e != nil {
		return 0, bad
	}
	switch op {
	case "<=":
		return v, nil
	case "<":
		return v - 1, nil
	}
	return 0, bad
}

// render writes a condition as an expression that convert reads back to
// the same condition. d resolves question types; option codes are written
// as the choice names the export gives them (the code itself).
func render(c *questionnaire.Condition, d *questionnaire.Definition) string {
	switch {
	case c == nil:
		return ""
	case c.All != nil || c.Any != nil:
		list, word, identity := c.All, " and ", "true()"
		if c.Any != nil {
			list, word, identity = c.Any, " or ", "false()"
		}
		// An any of equality tests of one question would be read as in:
		// parentheses keep them apart.
		wrapAll := c.Any != nil && len(list) > 1 && sameEquals(list)
		parts := make([]string, 0, len(list)+1)
		for _, x := range list {
			s := render(x, d)
			if wrapAll || x.All != nil || x.Any != nil || x.In != nil || x.Between != nil {
				s = "(" + s + ")"
			}
			parts = append(parts, s)
		}
		if len(parts) == 1 {
			parts = append([]string{identity}, parts...)
		}
		return strings.Join(parts, word)
	case c.Not != nil:
		return "not(" + render(c.Not, d) + ")"
	case c.Answered != "":
		return "${" + c.Answered + "} != ''"
	case c.Equals != nil:
		return equalsText(c.Equals.Question, c.Equals.Value, d)
	case c.In != nil:
		q := d.Question(c.In.Question)
		if len(c.In.Values) == 1 && q != nil && q.Type != questionnaire.TypeMultipleChoice {
			v := c.In.Values[0]
			if q.Type == questionnaire.TypeInteger {
				// A range of one number reads back as between, and one
				// equality as equals: the equality twice is an or of
				// equalities of one question, read as in (collapse drops
				// the repeat).
				e := equalsText(q.Code, v, d)
				return e + " or " + e
			}
			// For a choice, a range of one code reads back as in over
			// the options within it.
			return fmt.Sprintf("${%s} >= %d and ${%s} <= %d", q.Code, v, q.Code, v)
		}
		parts := make([]string, len(c.In.Values))
		for i, v := range c.In.Values {
			parts[i] = equalsText(c.In.Question, v, d)
		}
		return strings.Join(parts, " or ")
	case c.Between != nil:
		b := c.Between
		return fmt.Sprintf("${%s} >= %d and ${%s} <= %d", b.Question, b.Min, b.Question, b.Max)
	}
	return ""
}

func sameEquals(list []*questionnaire.Condition) bool {
	for _, x := range list {
		if x.Equals == nil || x.Equals.Question != list[0].Equals.Question {
			return false
		}
	}
	return true
}

func equalsText(code string, v int, d *questionnaire.Definition) string {
	q := d.Question(code)
	switch {
	case q != nil && q.Type == questionnaire.TypeMultipleChoice:
		return fmt.Sprintf("selected(${%s}, '%d')", code, v)
	case q != nil && q.Type.IsChoice():
		return fmt.Sprintf("${%s} = '%d'", code, v)
	}
	return fmt.Sprintf("${%s} = %d", code, v)
}

func itoa(i int) string { return strconv.Itoa(i) }
