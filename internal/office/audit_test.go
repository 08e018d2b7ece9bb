package office

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/web"
)

// TestAuditSourceInWords reads the source's audit calls (store.AuditIn,
// FieldTx.Audit) and checks that the audit page knows each action, object
// type and detail key they write, and that each has its words in both
// languages: an action added without its description would show as a code.
func TestAuditSourceInWords(t *testing.T) {
	actions, types, keys := map[string]bool{}, map[string]bool{}, map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		lit := func(e ast.Expr) (string, bool) {
			b, ok := e.(*ast.BasicLit)
			if !ok || b.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(b.Value)
			return s, err == nil
		}
		mapKeys := func(e ast.Expr) {
			if cl, ok := e.(*ast.CompositeLit); ok {
				for _, el := range cl.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := lit(kv.Key); ok {
							keys[k] = true
						}
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "AuditIn" && sel.Sel.Name != "Audit") {
					return true
				}
				args := n.Args
				switch {
				case sel.Sel.Name == "AuditIn" && len(args) == 7: // ctx, tx, actor, …
					args = args[3:]
				case sel.Sel.Name == "Audit" && len(args) == 7: // ctx, user id, …, request id
					args = args[2:]
				case len(args) == 5: // FieldTx.Audit(actor, …)
					args = args[1:]
				default:
					return true
				}
				if a, ok := lit(args[0]); ok {
					actions[a] = true
				}
				if o, ok := lit(args[1]); ok {
					types[o] = true
				}
				mapKeys(args[3])
			case *ast.AssignStmt:
				// detail := map…{…}; detail["x"] = …; action := "…"
				for i, l := range n.Lhs {
					id, _ := l.(*ast.Ident)
					ix, _ := l.(*ast.IndexExpr)
					switch {
					case id != nil && id.Name == "detail" && i < len(n.Rhs):
						mapKeys(n.Rhs[i])
					case id != nil && id.Name == "action" && i < len(n.Rhs):
						if a, ok := lit(n.Rhs[i]); ok && strings.Contains(a, ".") {
							actions[a] = true
						}
					case ix != nil:
						if x, ok := ix.X.(*ast.Ident); ok && x.Name == "detail" {
							if k, ok := lit(ix.Index); ok {
								keys[k] = true
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) < 20 || len(keys) < 30 {
		t.Fatalf("found only %d actions and %d detail keys in the source: the search broke", len(actions), len(keys))
	}
	// round.start and round.reopen are made as "round."+action.
	actions["round.start"], actions["round.reopen"] = true, true
	for a := range actions {
		if !slices.Contains(auditActions, a) {
			t.Errorf("the source audits %q, which auditActions lacks", a)
		}
	}
	for o := range types {
		if !slices.Contains(auditObjectTypes, o) {
			t.Errorf("the source audits objects of type %q, which auditObjectTypes lacks", o)
		}
	}
	for k := range keys {
		if !slices.Contains(auditFieldOrder, k) && !auditHidden[k] && k != "unreviewed_flags" && k != "pending_replacements" && k != "in_progress" &&
			k != "role" && k != "street" && k != "display_name" {
			t.Errorf("the source writes the detail %q, which auditFieldOrder lacks", k)
		}
	}
	pages, err := web.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range web.Languages {
		T := pages.Strings(lang)
		var want []string
		for _, a := range auditActions {
			want = append(want, "office.audit.act."+a)
		}
		for _, o := range auditObjectTypes {
			want = append(want, "office.audit.type."+o)
		}
		for _, k := range auditFieldOrder {
			want = append(want, "office.audit.field."+k)
		}
		for _, k := range want {
			if T[k] == "" {
				t.Errorf("%s: no string %s", lang, k)
			}
		}
	}
}

// TestDescribeAudit says entries of each shape in words, in both
// languages: no key, no JSON, the values in the page's words.
func TestDescribeAudit(t *testing.T) {
	pages, err := web.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	names := &auditNames{
		rounds:      map[string]store.RoundInfo{"7": {Round: store.Round{ID: 7, Name: "2026 春季", Questionnaire: "wenming", QuestionnaireVersion: 2}, Sample: "s2026"}},
		titles:      map[string]string{"wenming": "文明城市入户调查"},
		streets:     map[string]string{"3": "城关街道"},
		communities: map[string]string{"12": "北门社区"},
		users:       map[string]string{"21": "sim-s3-1"},
	}
	entries := []store.AuditEntry{
		{Action: "token.create", ObjectType: "api_token", ObjectID: "1", Detail: `{"user":"admin","name":"export","prefix":"my_ab12","expires_at":"2027-01-01T00:00:00Z"}`},
		{Action: "round.create", ObjectType: "round", ObjectID: "7", Detail: `{"name":"2026 春季","kind":"satisfaction","sample_id":4,"questionnaire_version_id":9,"assignments":2200,"simulated":false}`},
		{Action: "round.close", ObjectType: "round", ObjectID: "7", Detail: `{"from":"fieldwork","to":"closed","open":{"unreviewed_flags":2,"pending_replacements":1,"in_progress":0},"forced":true}`},
		{Action: "user.update", ObjectType: "user", ObjectID: "li", Detail: `{"id":4,"from":{"role":"interviewer","street":"城关街道","display_name":"李"},"to":{"role":"supervisor","street":"城关街道","display_name":"李"},"sessions_ended":true,"tokens_revoked":0}`},
		{Action: "assignment.assign", ObjectType: "round", ObjectID: "7", Detail: `{"interviewer_id":21,"community_id":12,"street_id":3,"assignment_ids":[1,2,3],"changed":3}`},
		{Action: "assignment.replace", ObjectType: "assignment", ObjectID: "40", Detail: `{"automatic":true,"reason":"refused; replacement released automatically"}`},
		{Action: "response.submit", ObjectType: "assignment", ObjectID: "40", Detail: `{"response_id":5,"client_id":"c-1","disposition":"complete","flags":[{"code":"too_fast","detail":"took 0m55s"},{"code":"gps_far","detail":"far"}]}`},
		{Action: "survey.publish", ObjectType: "questionnaire", ObjectID: "wenming", Detail: `{"version":2,"content_hash":"0123456789abcdef0123"}`},
		{Action: "sample.draw", ObjectType: "sample", ObjectID: "s2026", Detail: `{"id":4,"kind":"two-stage","seed":"42","households":2200,"reserves":440}`},
		{Action: "population.import", ObjectType: "population", ObjectID: "1", Detail: `{"source":"pop.csv","cells":40,"total":90000,"variables":["street","sex"],"unit":"person"}`},
		{Action: "login", ObjectType: "user", ObjectID: "admin", Detail: ``},
		{Action: "assignment.replace", ObjectType: "assignment", ObjectID: "41", Detail: `{"replacement_id":77,"reason":"门锁着，邻居说已搬走"}`},
	}
	type want struct{ object, fields string }
	wants := map[string][]want{
		"zh-CN": {
			{"1", "名称=export; 账号=admin; 令牌开头=my_ab12; 到期日=2027-01-01"},
			{"2026 春季", "问卷=文明城市入户调查 第 2 版; 样本=s2026; 名称=2026 春季; 类型=满意度调查; 样本户数=2200; 模拟数据=否"},
			{"2026 春季", "原状态=调查中; 新状态=已结束; 未完成的工作=2 条质量标记未审核，1 户替换待批，0 户尚在访问中; 强制结束=是"},
			{"li", "角色=调查员 → 街道督导; 已退出所有登录=是; 吊销的令牌数=0"},
			{"2026 春季", "街道=城关街道; 社区=北门社区; 访问员=sim-s3-1; 户数=3; 改派户数=3"},
			{"40", "自动=是"},
			{"40", "结果=完成; 质量标记=用时过短、位置偏远; 答卷编号=5"},
			{"文明城市入户调查 第 2 版", "内容指纹=0123456789ab"},
			{"s2026", "类型=两阶段（社区 PPS + 住户随机）; 户数=2200; 备用户数=440; 随机种子=42"},
			{"1", "文件=pop.csv; 分组数=40; 合计=90000; 分组依据=street、sex; 计数单位=人"},
			{"admin", ""},
			{"41", "替换户编号=77; 理由=门锁着，邻居说已搬走"},
		},
		"en": {
			{"1", "Name=export; Account=admin; Token starts with=my_ab12; Expires=2027-01-01"},
			{"2026 春季", "Questionnaire=文明城市入户调查, version 2; Sample=s2026; Name=2026 春季; Kind=Satisfaction; Sampled households=2200; Simulated=no"},
		},
	}
	for lang, ws := range wants {
		T := pages.Strings(lang)
		rows := describeAudit(entries, names, T)
		for i, w := range ws {
			r := rows[i]
			if r.ActionKey == "" || r.ObjectKey == "" {
				t.Errorf("%s: %s: no words for the action or the object", lang, r.Action)
			}
			var fs []string
			for _, f := range r.Fields {
				v := f.Value
				if f.ValueKey != "" {
					v = strings.TrimSpace(tr(T, f.ValueKey) + " " + f.Value)
				}
				fs = append(fs, tr(T, f.LabelKey)+"="+v)
			}
			if got := strings.Join(fs, "; "); got != w.fields || r.Object != w.object {
				t.Errorf("%s: %s:\n got %q %q\nwant %q %q", lang, r.Action, r.Object, got, w.object, w.fields)
			}
		}
	}
}
