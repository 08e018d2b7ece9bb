package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestRoundEstimatesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, base, _ := servertest.NewTestServer(t, db)
		storetest.SeedRound(t, db, 1500, 3, 9)
		analyst := servertest.Login(t, base, store.RoleAnalyst)
		// A round's rates have the arcsine interval unless ?ci= asks for
		// another (results.RoundCI); logit is another interval.
		_, dflt := servertest.Get(t, analyst, base+"/api/v1/rounds/1/estimates?by=street")
		_, asin := servertest.Get(t, analyst, base+"/api/v1/rounds/1/estimates?by=street&ci=asin")
		_, logit := servertest.Get(t, analyst, base+"/api/v1/rounds/1/estimates?by=street&ci=logit")
		if string(dflt) != string(asin) || string(dflt) == string(logit) || !strings.Contains(string(dflt), `"ci_low"`) {
			t.Errorf("the default interval is not the arcsine one:\n%.400s\n%.400s", dflt, asin)
		}
		status, body := servertest.Get(t, analyst, base+"/api/v1/rounds/1/estimates?by=street&ci=beta&level=0.9&compare=1")
		if status != 200 {
			t.Fatalf("estimates = %d %s", status, body)
		}
		var rep struct {
			Round     struct{ Name string }
			Estimates []struct {
				Variable string
				Domain   *string
				Estimate *float64
				CILow    *float64 `json:"ci_low"`
				CIHigh   *float64 `json:"ci_high"`
				DF       int
				N        int
				Below    *bool `json:"below_target"`
				Change   *struct{ Estimate *float64 }
			}
		}
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Round.Name != "seeded round" || len(rep.Estimates) != 5*4 { // 4 indicators and the composite, district and 3 streets
			t.Fatalf("report: %s", body)
		}
		district := rep.Estimates[0]
		if district.Variable != "aware" || district.Domain != nil || district.Estimate == nil || district.DF != 9-3 ||
			!(*district.CILow < *district.Estimate && *district.Estimate < *district.CIHigh) || district.Below == nil ||
			district.Change == nil || *district.Change.Estimate != 0 {
			t.Fatalf("district awareness: %+v", district)
		}
		if d := rep.Estimates[1].Domain; d == nil || *d != "街道1" {
			t.Fatalf("first street: %+v", rep.Estimates[1])
		}
		status, body = servertest.Get(t, analyst, base+"/api/v1/rounds/1/estimates?ci=median&level=2&by=age")
		if status != 422 || !strings.Contains(string(body), `"ci"`) || !strings.Contains(string(body), `"level"`) {
			t.Fatalf("bad request = %d %s", status, body)
		}
		if status, _ := servertest.Get(t, analyst, base+"/api/v1/rounds/7/estimates"); status != http.StatusNotFound {
			t.Fatalf("unknown round = %d", status)
		}
		interviewer := servertest.Login(t, base, store.RoleInterviewer)
		if status, _ := servertest.Get(t, interviewer, base+"/api/v1/rounds/1/estimates"); status != http.StatusForbidden {
			t.Fatalf("interviewer = %d", status)
		}
	})
}

// TestRoundEstimatesSupervisor: a street office sees the district figures
// and its own street (or its own communities), not the other streets.
func TestRoundEstimatesSupervisor(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, base, _ := servertest.NewTestServer(t, db)
	storetest.SeedRound(t, db, 900, 3, 9)
	st, err := db.StreetByName(context.Background(), "街道2")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := auth.HashPassword("password-supervisor")
	if _, err := db.CreateUser(context.Background(), store.NewUser{Username: "supervisor", Role: store.RoleSupervisor, StreetID: &st.ID, PasswordHash: h}, store.CLI); err != nil {
		t.Fatal(err)
	}
	sup := servertest.Login(t, base, store.RoleSupervisor)
	for by, perIndicator := range map[string]int{"street": 1 + 1, "community": 1 + 3} {
		status, body := servertest.Get(t, sup, base+"/api/v1/rounds/1/estimates?by="+by)
		var rep struct {
			Estimates []struct{ Domain *string }
		}
		json.Unmarshal(body, &rep)
		if status != 200 || len(rep.Estimates) != 5*perIndicator {
			t.Fatalf("by %s: %d, %d estimates: %s", by, status, len(rep.Estimates), body)
		}
		for _, e := range rep.Estimates {
			if by == "street" && e.Domain != nil && *e.Domain != "街道2" {
				t.Fatalf("supervisor of 街道2 sees %s", *e.Domain)
			}
		}
	}
}
