package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestRoundExportAPI: the exports of a seeded round over HTTP — CSV with
// and without BOM, XLSX, the R bundle, bad options, and a supervisor's
// street scope.
func TestRoundExportAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, base, _ := servertest.NewTestServer(t, db)
		storetest.SeedRound(t, db, 600, 3, 9)
		analyst := servertest.Login(t, base, store.RoleAnalyst)
		res, err := analyst.Get(base + "/api/v1/rounds/1/export/responses")
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "responses.csv") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("responses = %d %v", res.StatusCode, res.Header)
		}
		if !bytes.HasPrefix(body.Bytes(), []byte("\ufeffresponse_id,")) {
			t.Fatalf("no BOM: %q", body.Bytes()[:16])
		}
		// Issue 23 item 6: a round's name is a user's text; every download
		// names its file safely (one function, request.Attachment).
		if _, err := db.Writer().Exec(db.Writer().Rebind("UPDATE rounds SET name = ? WHERE id = 1"), "../../etc/passwd 轮次"); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/data", "/export/responses", "/export/summary", "/export/r-bundle"} {
			res, err := analyst.Get(base + "/api/v1/rounds/1" + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			cd := res.Header.Get("Content-Disposition")
			if res.StatusCode != 200 || !strings.HasPrefix(cd, "attachment; filename=\"etc_passwd") || strings.Contains(cd, "..") || strings.Contains(cd, "%2F") {
				t.Errorf("GET %s of a round named ../../etc/passwd: %d %q", path, res.StatusCode, cd)
			}
		}
		if _, err := db.Writer().Exec(db.Writer().Rebind("UPDATE rounds SET name = ? WHERE id = 1"), "seeded"); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(body.Bytes()[3:])).ReadAll()
		if err != nil || len(rows) != 601 {
			t.Fatalf("%d lines (%v)", len(rows), err)
		}
		status, b := servertest.Get(t, analyst, base+"/api/v1/rounds/1/export/summary?bom=0")
		if status != 200 || !bytes.HasPrefix(b, []byte("indicator,label,")) {
			t.Fatalf("summary without BOM = %d %q", status, b[:min(len(b), 40)])
		}
		// Each figure names its variance and its interval: a rate's is
		// arcsine (R svyciprop method "asin"), a mean's and the
		// composite's p ± t·se ("wald").
		sum, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(sum) < 2 {
			t.Fatalf("summary: %v", err)
		}
		col := map[string]int{}
		for i, h := range sum[0] {
			col[h] = i
		}
		iv, ok := col["interval"]
		if !ok || col["variance"] != iv-1 {
			t.Fatalf("summary header %v: no interval column after variance", sum[0])
		}
		kinds := map[string]string{}
		for _, r := range sum[1:] {
			if r[col["indicator"]] == "composite" {
				kinds["composite"] = r[iv]
				continue
			}
			if k := r[col["kind"]]; kinds[k] == "" || kinds[k] == r[iv] {
				kinds[k] = r[iv]
			} else {
				t.Errorf("%s %s: interval %s, another %s has %s", k, r[col["indicator"]], r[iv], k, kinds[k])
			}
		}
		if kinds["rate"] != "asin" || kinds["mean"] != "" && kinds["mean"] != "wald" || kinds["composite"] != "" && kinds["composite"] != "wald" {
			t.Errorf("intervals by kind %v, want rate asin, mean and composite wald", kinds)
		}
		status, b = servertest.Get(t, analyst, base+"/api/v1/rounds/1/export/codebook?format=xlsx")
		if status != 200 || !bytes.HasPrefix(b, []byte("PK")) {
			t.Fatalf("codebook xlsx = %d", status)
		}
		status, b = servertest.Get(t, analyst, base+"/api/v1/rounds/1/export/r-bundle")
		if status != 200 {
			t.Fatalf("r-bundle = %d %s", status, b)
		}
		// An uncalibrated round: no population counts in it.
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("r-bundle zip: %v", err)
		}
		var names []string
		for _, f := range z.File {
			names = append(names, f.Name)
		}
		if want := []string{"responses.csv", "dispositions.csv", "minyi.csv", "communities.csv", "verify.R"}; !slices.Equal(names, want) {
			t.Fatalf("r-bundle holds %v, want %v", names, want)
		}
		status, b = servertest.Get(t, analyst, base+"/api/v1/rounds/1/export/responses?format=pdf&labels=maybe&bom=2")
		if status != 422 || !strings.Contains(string(b), `"format"`) || !strings.Contains(string(b), `"labels"`) || !strings.Contains(string(b), `"bom"`) {
			t.Fatalf("bad options = %d %s", status, b)
		}
		if status, _ := servertest.Get(t, analyst, base+"/api/v1/rounds/9/export/responses"); status != http.StatusNotFound {
			t.Fatalf("unknown round = %d", status)
		}

		// A supervisor of 街道2 exports 街道2's responses only.
		st, err := db.StreetByName(context.Background(), "街道2")
		if err != nil {
			t.Fatal(err)
		}
		h, _ := auth.HashPassword("password-supervisor")
		if _, err := db.CreateUser(context.Background(), store.NewUser{Username: "supervisor", Role: store.RoleSupervisor, StreetID: &st.ID, PasswordHash: h}, store.CLI); err != nil {
			t.Fatal(err)
		}
		sup := servertest.Login(t, base, store.RoleSupervisor)
		status, b = servertest.Get(t, sup, base+"/api/v1/rounds/1/export/responses?bom=0")
		srows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if status != 200 || err != nil || len(srows) < 2 || len(srows) >= 601 {
			t.Fatalf("supervisor = %d, %d lines (%v)", status, len(srows), err)
		}
		for _, r := range srows[1:] {
			if r[4] != "街道2" {
				t.Fatalf("a supervisor of 街道2 got a response of %s", r[4])
			}
		}
	})
}
