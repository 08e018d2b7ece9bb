package simulate

import (
	"context"
	"testing"

	"github.com/minyi-survey/minyi/internal/sampling"
)

// BenchmarkEvaluateDesign is the yardstick: 1,000 repetitions of
// a 20-street design with about 2,000 interviews (about 2,700 households drawn,
// 20 per community, 70 % responding) must take under 30 s on the 2-core
// machine. One op is the whole evaluation.
func BenchmarkEvaluateDesign(b *testing.B) {
	d, err := Generate(Spec{Streets: 20, Communities: 12, Households: 400, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	p, err := Compile(standard(b), d.Model)
	if err != nil {
		b.Fatal(err)
	}
	f := d.Frame()
	truth := ComputeTruth(p, f)
	spec := DesignSpec{N: 2700, PerCommunity: 20, Allocation: sampling.AllocProportional, ResponseRate: 0.7, Reps: 1000, Seed: 1, TargetWidth: 0.1, Power: 0.8}
	b.ResetTimer()
	for b.Loop() {
		rep, err := EvaluateDesign(context.Background(), p, f, truth, spec)
		if err != nil {
			b.Fatal(err)
		}
		if n := rep.District["awareness"].MeanN; n < 1900 || n > 2150 {
			b.Fatalf("%v interviews a repetition", n)
		}
	}
}
