package draw

import (
	"context"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestPreviewMatchesDraw checks that the preview allocates as the draw does:
// per street the same n_h, communities and main sample as the sample then
// drawn with the same specification, and stores nothing.
func TestPreviewMatchesDraw(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importFrame(t, db, testFrame(3, 8, 20))
		for _, spec := range []Spec{
			{Design: "two-stage", N: 100, Allocation: "proportional", PerCommunity: 15, Reserves: 2, Seed: 7},
			{Design: "two-stage", N: 100, Allocation: "equal", PerCommunity: 15, Exact: true, Seed: 7},
			{Design: "stratified-srs", N: 90, Allocation: "proportional", Reserves: 3, Seed: 7},
		} {
			before, _ := db.Samples(ctx)
			p, err := Preview(ctx, db, spec, 0.6)
			if err != nil {
				t.Fatal(err)
			}
			if ss, _ := db.Samples(ctx); len(ss) != len(before) {
				t.Fatalf("preview stored a sample: %+v", ss)
			}
			spec.Name = "s-" + spec.Design + "-" + spec.Allocation
			res, err := Draw(ctx, db, spec, store.CLI)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Streets) != len(res.Streets) {
				t.Fatalf("%s: preview has %d streets, the draw %d", spec.Name, len(p.Streets), len(res.Streets))
			}
			issued := 0
			for i, ps := range p.Streets {
				r := res.Streets[i]
				if ps.Street != r.Street || ps.N != r.Allocation.Size || ps.Households != r.Result.Households || ps.Issued != r.Result.Requested {
					t.Errorf("%s street %d: preview %+v, drawn %+v", spec.Name, i, ps, r)
				}
				if spec.Design == "two-stage" && ps.PSUs != r.Result.PSUsDrawn {
					t.Errorf("%s street %s: preview %d communities, drawn %d", spec.Name, ps.Street, ps.PSUs, r.Result.PSUsDrawn)
				}
				if ps.Reserves != r.Result.Reserves {
					t.Errorf("%s street %s: preview %d reserves, drawn %d", spec.Name, ps.Street, ps.Reserves, r.Result.Reserves)
				}
				if want := float64(ps.Issued) * 0.6; ps.Expected < want-0.05 || ps.Expected > want+0.05 {
					t.Errorf("%s street %s: expected interviews %.1f, want %.1f", spec.Name, ps.Street, ps.Expected, want)
				}
				issued += ps.Issued
			}
			if p.Total.Issued != issued || p.Total.Issued != res.Sample.Households {
				t.Errorf("%s: total issued %d, streets %d, drawn %d", spec.Name, p.Total.Issued, issued, res.Sample.Households)
			}
		}
		if _, err := Preview(ctx, db, Spec{N: 0}, 0.7); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)["n"] == "" {
			t.Errorf("n = 0: %v, want a field error on n", err)
		}
		if _, err := Preview(ctx, db, Spec{N: 10}, 1.5); apperr.FieldsOf(err)["response_rate"] == "" {
			t.Errorf("response rate 1.5: %v, want a field error", err)
		}
	})
}
