package office

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

// The audit log in words: each entry's action, object and details said in
// the page's language, never as keys or JSON. The store keeps details as
// JSON written by the function that made the change (store.AuditIn); this
// file knows each detail's meaning and turns it into labelled fields whose
// labels and values are interface strings (office.audit.field.*, and the
// names of roles, states, outcomes … the other pages use).

// auditRow is one entry of the audit page as a person reads it.
type auditRow struct {
	store.AuditEntry
	// ActionKey is the string key of the action's description
	// (office.audit.act.*); "" for an action this version does not know.
	ActionKey string
	// ObjectKey names the object's kind (office.audit.type.*), Object the
	// object itself: a round's or a questionnaire's name, else its id.
	ObjectKey, Object string
	Fields            []auditField
}

// auditField is one detail of an entry: a label (a string key) and a value,
// shown as it is (Value) or as an interface string (ValueKey), in which
// case Value may add a number or text after it.
type auditField struct {
	LabelKey string
	ValueKey string
	Value    string
	// Written: the value is text a person wrote (a supervisor's reason),
	// in whatever language they wrote it.
	Written bool
}

// auditActions are the actions the source writes (a test finds them in
// it); each has its description office.audit.act.<action>.
var auditActions = []string{
	"login", "login.failed",
	"assignment.assign", "assignment.replace", "assignment.replace.decline",
	"frame.import", "frame.order", "population.import",
	"response.correct", "response.review", "response.submit",
	"round.close", "round.create", "round.reopen", "round.resum", "round.simulated", "round.start", "round.weight",
	"sample.draw", "survey.import", "survey.publish", "token.create", "token.revoke",
	"user.create", "user.disable", "user.enable", "user.import", "user.passwd", "user.password_changed", "user.update",
	"visit.record",
}

// auditObjectTypes are the objects entries name; each has
// office.audit.type.<type>.
var auditObjectTypes = []string{"api_token", "assignment", "frame", "population", "questionnaire", "response", "round", "sample", "survey", "user"}

// auditFieldOrder is the order details are shown in; every detail key the
// source writes is here (a test checks), each with its label
// office.audit.field.<key>. Keys the page leaves out are in auditHidden.
var auditFieldOrder = []string{
	"name", "kind", "role", "street", "street_id", "community_id", "interviewer_id", "display_name",
	"questionnaire_version_id", "sample_id", "version", "file", "source",
	"households", "reserves", "streets", "streets_with_communities_reordered", "communities", "cells", "total", "variables", "unit",
	"assignments", "assignment_ids", "changed", "count",
	"from", "to", "outcome", "disposition", "review", "automatic", "replacement_id", "reason", "flags", "supersedes",
	"response_id", "visit_id",
	"open", "forced", "respondents", "sum", "deff_kish",
	"user", "prefix", "expires_at", "with", "import", "login_code", "was_disabled", "was_one_time", "sessions_ended", "tokens_revoked",
	"seed", "simulated", "content_hash", "sha256",
}

// auditHidden are detail keys not shown: ids the entry already names
// (the account's own id), the tablet's request keys, and the weighting's
// settings (the round's weighting page shows them in full).
var auditHidden = map[string]bool{"id": true, "client_id": true, "config": true}

// auditEnums are details whose values are codes with interface strings:
// the value v of key k is shown as auditEnums[k]+v.
var auditEnums = map[string]string{
	"kind": "office.kind.", "role": "role.", "outcome": "street.outcome.", "disposition": "street.disp.",
	"review": "office.audit.review.", "with": "office.audit.with.", "unit": "office.audit.unit.",
}

// auditNames are what the page knows by name: rounds, questionnaires,
// streets, communities and accounts, looked up once for a page of
// entries, only when one of them needs it.
type auditNames struct {
	lang          string
	rounds        map[string]store.RoundInfo // by id
	titles        map[string]string          // questionnaire slug → title in lang
	streets       map[string]string
	communities   map[string]string
	users         map[string]string
	loadedStreets bool
}

func (s *Handler) auditNames(ctx context.Context, lang string, entries []store.AuditEntry) (*auditNames, error) {
	n := &auditNames{lang: lang, rounds: map[string]store.RoundInfo{}, titles: map[string]string{}}
	need := map[string]bool{}
	for _, e := range entries {
		need[e.ObjectType] = true
		if e.Action == "assignment.assign" {
			need["places"] = true
		}
	}
	if need["round"] {
		rs, err := s.db.Rounds(ctx, store.Scope{})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			n.rounds[strconv.FormatInt(r.ID, 10)] = r
		}
		need["questionnaire"] = true
	}
	if need["questionnaire"] {
		qs, err := survey.List(ctx, s.db)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			n.titles[q.Slug] = textIn(q.Title, lang)
		}
	}
	if need["places"] {
		n.streets, n.communities, n.users = map[string]string{}, map[string]string{}, map[string]string{}
		ss, err := s.db.Streets(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range ss {
			n.streets[strconv.FormatInt(x.ID, 10)] = x.Name
		}
		cs, err := s.db.Communities(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range cs {
			n.communities[strconv.FormatInt(x.ID, 10)] = x.Name
		}
		us, err := s.db.Users(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			n.users[strconv.FormatInt(u.ID, 10)] = u.Username
		}
		n.loadedStreets = true
	}
	return n, nil
}

// textIn is a text of several languages in lang, else in any.
func textIn(t map[string]string, lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	for _, l := range []string{"zh-CN", "en"} {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}

// questionnaireName is a questionnaire version as the office pages name
// it: its title and version ("文明城市入户调查 第 1 版"); T is the page's
// strings. A questionnaire without a title is named by its code.
func questionnaireName(T map[string]string, title, slug string, version int) string {
	if title == "" {
		title = slug
	}
	if version <= 0 {
		return title
	}
	return fmt.Sprintf(T["office.questionnaire_version"], title, version)
}

// describeAudit turns entries into rows in words.
func describeAudit(entries []store.AuditEntry, names *auditNames, T map[string]string) []auditRow {
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		r := auditRow{AuditEntry: e, Object: e.ObjectID}
		if slices.Contains(auditActions, e.Action) {
			r.ActionKey = "office.audit.act." + e.Action
		}
		if slices.Contains(auditObjectTypes, e.ObjectType) {
			r.ObjectKey = "office.audit.type." + e.ObjectType
		}
		details := decodeDetail(e.Detail)
		switch e.ObjectType {
		case "round":
			if ri, ok := names.rounds[e.ObjectID]; ok {
				r.Object = ri.Name
			}
		case "questionnaire":
			v, _ := strconv.Atoi(fmt.Sprint(details["version"]))
			if t := names.titles[e.ObjectID]; t != "" {
				r.Object = questionnaireName(T, t, e.ObjectID, v)
				delete(details, "version")
			}
		}
		r.Fields = auditFields(e, details, names, T)
		rows[i] = r
	}
	return rows
}

// decodeDetail reads an entry's JSON details (numbers kept as written);
// details that are not a JSON object give none.
func decodeDetail(detail string) map[string]any {
	if strings.TrimSpace(detail) == "" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader([]byte(detail)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil
	}
	return m
}

// auditFields says an entry's details as labelled fields, in
// auditFieldOrder.
func auditFields(e store.AuditEntry, d map[string]any, names *auditNames, T map[string]string) []auditField {
	var out []auditField
	add := func(key string, f auditField) {
		f.LabelKey = "office.audit.field." + key
		out = append(out, f)
	}
	// A round's creation names its questionnaire and sample by name.
	if e.Action == "round.create" {
		if ri, ok := names.rounds[e.ObjectID]; ok {
			add("questionnaire_version_id", auditField{Value: questionnaireName(T, names.titles[ri.Questionnaire], ri.Questionnaire, ri.QuestionnaireVersion)})
			if ri.Sample != "" {
				add("sample_id", auditField{Value: ri.Sample})
			}
			delete(d, "questionnaire_version_id")
			delete(d, "sample_id")
		}
	}
	// An automatic replacement's reason is the fieldwork rule's English
	// explanation, kept for analysts: the page says it was automatic.
	if auto, _ := d["automatic"].(bool); auto {
		delete(d, "reason")
	}
	// A user's change: each setting that changed, "before → after".
	if from, ok := d["from"].(map[string]any); ok {
		to, _ := d["to"].(map[string]any)
		for _, k := range []string{"role", "street", "display_name"} {
			a, b := fmt.Sprint(from[k]), fmt.Sprint(to[k])
			if a == b {
				continue
			}
			if k == "role" {
				add(k, auditField{Value: tr(T, "role."+a) + " → " + tr(T, "role."+b)})
			} else {
				add(k, auditField{Value: orDash(a) + " → " + orDash(b)})
			}
		}
		delete(d, "from")
		delete(d, "to")
	}
	for _, key := range auditFieldOrder {
		v, ok := d[key]
		if !ok || v == nil {
			continue
		}
		switch key {
		case "from", "to": // a round's state
			add(key, auditField{ValueKey: "office.state." + fmt.Sprint(v)})
			continue
		case "street_id":
			if n, ok := names.streets[fmt.Sprint(v)]; ok {
				add("street", auditField{Value: n})
				continue
			}
		case "community_id":
			if n, ok := names.communities[fmt.Sprint(v)]; ok {
				add(key, auditField{Value: n})
				continue
			}
		case "interviewer_id":
			if n, ok := names.users[fmt.Sprint(v)]; ok {
				add(key, auditField{Value: n})
				continue
			}
		case "flags":
			// Each flag is {code, detail}: the detail is the check's
			// English explanation for analysts; the page names the flag.
			var fs []string
			l, _ := v.([]any)
			for _, f := range l {
				if m, ok := f.(map[string]any); ok {
					fs = append(fs, tr(T, "street.flag."+fmt.Sprint(m["code"])))
				}
			}
			add(key, auditField{Value: strings.Join(fs, T["office.audit.list_sep"])})
			continue
		case "open":
			if m, ok := v.(map[string]any); ok {
				add(key, auditField{Value: fmt.Sprintf(T["office.audit.open_work"], num(m["unreviewed_flags"]), num(m["pending_replacements"]), num(m["in_progress"]))})
			}
			continue
		case "content_hash", "sha256":
			s := fmt.Sprint(v)
			add(key, auditField{Value: s[:min(len(s), 12)]})
			continue
		case "expires_at":
			s := fmt.Sprint(v)
			add(key, auditField{Value: s[:min(len(s), 10)]})
			continue
		}
		if key == "kind" && e.Action == "sample.draw" {
			add(key, auditField{ValueKey: "office.design." + fmt.Sprint(v)})
			continue
		}
		if key == "reason" {
			// What a person wrote, shown as written.
			add(key, auditField{Value: fmt.Sprint(v), Written: true})
			continue
		}
		if prefix, ok := auditEnums[key]; ok {
			if s, ok := v.(string); ok {
				add(key, auditField{ValueKey: prefix + s})
				continue
			}
		}
		switch v := v.(type) {
		case bool:
			if v {
				add(key, auditField{ValueKey: "office.audit.yes"})
			} else {
				add(key, auditField{ValueKey: "office.audit.no"})
			}
		case []any:
			l := asList(v)
			if key == "assignment_ids" {
				add(key, auditField{Value: strconv.Itoa(len(l))})
				continue
			}
			add(key, auditField{Value: strings.Join(l, T["office.audit.list_sep"])})
		case map[string]any:
			// No detail the source writes is an object besides those
			// above; one from a later version is left out rather than
			// shown as JSON.
		case string:
			if v != "" { // an account without a street
				add(key, auditField{Value: v})
			}
		default:
			add(key, auditField{Value: fmt.Sprint(v)})
		}
	}
	return out
}

func asList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = fmt.Sprint(x)
	}
	return out
}

func num(v any) string {
	if v == nil {
		return "0"
	}
	return fmt.Sprint(v)
}

func orDash(s string) string {
	if s == "" || s == "<nil>" {
		return "—"
	}
	return s
}

// tr is a string of T, or its key when T lacks it (a test keeps every key
// the page may ask for in both languages).
func tr(T map[string]string, key string) string {
	if s, ok := T[key]; ok {
		return s
	}
	return key
}
