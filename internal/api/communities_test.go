package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// communityReport is the part of GET /api/v1/rounds/:id/communities the
// tests read.
type communityReport struct {
	Method string
	Fits   []struct {
		Variable string
		Areas    int
		Reason   string
	}
	Communities []struct {
		Variable, Street, Community string
		N                           int
		Direct                      *float64
		DirectSE                    *float64 `json:"direct_se"`
		Model                       *float64
		ModelMSE                    *float64 `json:"model_mse"`
		ModelPsi                    *float64 `json:"model_psi"`
	}
}

// An analyst gets every community of the round, with direct and model
// figures; a street asked for narrows them; bad parameters are 422.
func TestRoundCommunitiesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, base, _ := servertest.NewTestServer(t, db)
		storetest.SeedRound(t, db, 900, 3, 30)
		analyst := servertest.Login(t, base, store.RoleAnalyst)
		status, body := servertest.Get(t, analyst, base+"/api/v1/rounds/1/communities?indicators=aware&level=0.9")
		if status != 200 {
			t.Fatalf("communities = %d %s", status, body)
		}
		var rep communityReport
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Fits) != 1 || rep.Fits[0].Variable != "aware" || rep.Fits[0].Areas != 30 || rep.Fits[0].Reason != "" || len(rep.Communities) != 30 || !strings.Contains(rep.Method, "Fay-Herriot") {
			t.Fatalf("report: %s", body)
		}
		for _, f := range rep.Communities {
			if f.Direct == nil || f.Model == nil || f.ModelMSE == nil || !(*f.ModelMSE > 0) || f.ModelPsi == nil || !(*f.ModelPsi > 0) {
				t.Fatalf("%s: %+v", f.Community, f)
			}
		}
		st, err := db.StreetByName(context.Background(), "街道3")
		if err != nil {
			t.Fatal(err)
		}
		status, body = servertest.Get(t, analyst, fmt.Sprintf("%s/api/v1/rounds/1/communities?street=%d", base, st.ID))
		rep = communityReport{}
		json.Unmarshal(body, &rep)
		if status != 200 || len(rep.Communities) != 3*10 {
			t.Fatalf("street 3: %d, %d figures", status, len(rep.Communities))
		}
		for _, f := range rep.Communities {
			if f.Street != "街道3" {
				t.Fatalf("street 3's report holds %s of %s", f.Community, f.Street)
			}
		}
		status, body = servertest.Get(t, analyst, base+"/api/v1/rounds/1/communities?level=2&street=x")
		if status != 422 || !strings.Contains(string(body), `"level"`) || !strings.Contains(string(body), `"street"`) {
			t.Fatalf("bad request = %d %s", status, body)
		}
		if status, _ := servertest.Get(t, analyst, base+"/api/v1/rounds/1/communities?indicators=score"); status != 422 {
			t.Fatalf("a score is not a rate: %d", status)
		}
		if status, _ := servertest.Get(t, analyst, base+"/api/v1/rounds/7/communities"); status != http.StatusNotFound {
			t.Fatalf("unknown round = %d", status)
		}
		// The export of the same figures.
		status, body = servertest.Get(t, analyst, base+"/api/v1/rounds/1/export/communities?format=csv&bom=0")
		if status != 200 {
			t.Fatalf("export = %d %s", status, body)
		}
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil || len(rows) != 1+3*30 || rows[0][0] != "indicator" {
			t.Fatalf("export: %v, %d rows", err, len(rows))
		}
	})
}

// A street office's supervisor gets its own street's communities, whatever
// street it asks for: another street's is not found.
func TestRoundCommunitiesSupervisor(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, base, _ := servertest.NewTestServer(t, db)
	storetest.SeedRound(t, db, 900, 3, 30)
	ctx := context.Background()
	st, err := db.StreetByName(ctx, "街道2")
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.StreetByName(ctx, "街道1")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := auth.HashPassword("password-supervisor")
	if _, err := db.CreateUser(ctx, store.NewUser{Username: "supervisor", Role: store.RoleSupervisor, StreetID: &st.ID, PasswordHash: h}, store.CLI); err != nil {
		t.Fatal(err)
	}
	sup := servertest.Login(t, base, store.RoleSupervisor)
	for _, q := range []string{"", fmt.Sprintf("?street=%d", st.ID)} {
		status, body := servertest.Get(t, sup, base+"/api/v1/rounds/1/communities"+q)
		var rep communityReport
		json.Unmarshal(body, &rep)
		if status != 200 || len(rep.Communities) != 3*10 {
			t.Fatalf("%q: %d, %d figures: %s", q, status, len(rep.Communities), body)
		}
		for _, f := range rep.Communities {
			if f.Street != "街道2" {
				t.Fatalf("supervisor of 街道2 sees %s of %s", f.Community, f.Street)
			}
		}
	}
	if status, _ := servertest.Get(t, sup, fmt.Sprintf("%s/api/v1/rounds/1/communities?street=%d", base, other.ID)); status != http.StatusNotFound {
		t.Fatalf("another street = %d", status)
	}
	status, body := servertest.Get(t, sup, base+"/api/v1/rounds/1/export/communities?format=csv&bom=0")
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if status != 200 || err != nil || len(rows) != 1+3*10 {
		t.Fatalf("export = %d, %v, %d rows", status, err, len(rows))
	}
	for _, r := range rows[1:] {
		if r[1] != "街道2" {
			t.Fatalf("supervisor's export holds %s", r[1])
		}
	}
}
