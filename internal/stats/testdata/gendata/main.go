// Command gendata writes a synthetic household survey as CSV for the
// end-to-end benchmark (testdata/bench.sh): streets as strata, communities
// as PSUs, unequal weights and four 0/1 rates (知晓率, 支持率, 参与率, 满意率)
// with a few missing answers. The output depends only on the flags.
//
//	go run ./internal/stats/testdata/gendata -rows 1000000 -strata 20 -psus 400 > big.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "responses")
	strata := flag.Int("strata", 20, "strata (streets)")
	psus := flag.Int("psus", 400, "PSUs (communities) in all, spread evenly over the strata")
	seed := flag.Uint64("seed", 2026, "random seed")
	flag.Parse()
	if *strata < 1 || *psus < *strata || *rows < *psus {
		fmt.Fprintln(os.Stderr, "gendata: want rows ≥ psus ≥ strata ≥ 1")
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(*seed, 1))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	w.WriteString("stratum,street,community,w,know,support,join,satisfied\n")

	perStratum := *psus / *strata
	var b []byte
	row := 0
	for p := 0; p < *psus; p++ {
		h := min(p/perStratum, *strata-1)
		// Rows of this PSU: an even share, the remainder to the last.
		n := *rows / *psus
		if p == *psus-1 {
			n = *rows - row
		}
		eff := rng.NormFloat64() * 0.6
		base := 50 + 10*float64(h)
		for range n {
			b = b[:0]
			b = fmt.Appendf(b, "S%02d,街道%02d,C%03d,", h+1, h+1, p+1)
			b = strconv.AppendFloat(b, math.Round(base*(0.6+0.8*rng.Float64())*100)/100, 'f', -1, 64)
			for k, level := range []float64{2.2, 1.8, -0.4, 1.2} {
				b = append(b, ',')
				if rng.Float64() < 0.03 {
					continue // missing answer: an empty cell
				}
				pr := 1 / (1 + math.Exp(-(level + eff + 0.1*float64(k))))
				if rng.Float64() < pr {
					b = append(b, '1')
				} else {
					b = append(b, '0')
				}
			}
			b = append(b, '\n')
			w.Write(b)
			row++
		}
	}
}
