package simulate

// CommunityTruth returns the true value of every indicator of the plan in
// each community of f: out[c][i] for community c (f.Communities order) and
// indicator i (p.Indicators order), NaN where it does not exist. It is
// ComputeTruth's quantity at community level, Σ_h E[y·c] / Σ_h E[c] over
// the community's households, what a community (small-area) estimate is
// judged against.
func CommunityTruth(p *Plan, f *Frame) [][]float64 {
	nind := len(p.inds)
	cellW := make([][Cells]float64, len(f.Communities))
	for i, u := range f.Units {
		ad := f.Adults(i)
		for _, c := range ad {
			cellW[u.PSU][c] += 1 / float64(len(ad))
		}
	}
	out := make([][]float64, len(f.Communities))
	m, q := make([]float64, nind), make([]float64, nind)
	num, den := make([]float64, nind), make([]float64, nind)
	for ci, c := range f.Communities {
		off := p.Offsets(f.Streets[c.Street], c.Name)
		clear(num)
		clear(den)
		for cell := range Cells {
			w := cellW[ci][cell]
			if w == 0 {
				continue
			}
			p.expect(off, cell, m, q)
			for i := range nind {
				num[i] += w * m[i] * q[i]
				den[i] += w * q[i]
			}
		}
		out[ci] = make([]float64, nind)
		for i := range nind {
			out[ci][i] = num[i] / den[i]
		}
	}
	return out
}
