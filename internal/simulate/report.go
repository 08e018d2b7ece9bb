package simulate

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteText writes the report as a table: the district, then each street,
// then the recommendation.
func (r *DesignReport) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "%d repetitions of %d households drawn (n %d; %d per community, %s allocation, response rate %.2f) in %d streets, seed %d, variance %s, %s intervals\n\n",
		r.Reps, r.Design.Drawn, r.Design.N, r.Design.PerCommunity, r.Design.Allocation, r.Design.ResponseRate, r.Design.Streets, r.Seed, varianceWords(r.Design.Variance.String()), r.Design.CI)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "street\tindicator\ttrue\tbias\tRMSE\tmean SE\twidth\tcoverage\tP(flag below)\tn\t")
	ids := make([]string, 0, len(r.District))
	for id := range r.District {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	row := func(street, id string, m Metrics) {
		flag := "-"
		if m.PFlagBelow != nil {
			flag = fmt.Sprintf("%.3f", *m.PFlagBelow)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%+.4f\t%.4f\t%.4f\t%.3f\t%.3f\t%s\t%.0f\t\n", street, id, m.True, m.Bias, m.RMSE, m.MeanSE, m.MeanWidth, m.Coverage, flag, m.MeanN)
	}
	for _, id := range ids {
		row("(district)", id, r.District[id])
	}
	for _, s := range r.Streets {
		row(s.Street, s.Indicator, s.Metrics)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := r.writeCommunitiesText(w); err != nil {
		return err
	}
	rec := r.Recommendation
	fmt.Fprintf(w, "\nrecommendation: %d households per street (%d in all, street by street) for a 95 %% interval width of %.2f and a %.0f %% chance of flagging a street below target\n",
		rec.PerStreet, rec.Total, rec.TargetWidth, 100*rec.Power)
	var parts []string
	for _, s := range rec.Streets {
		parts = append(parts, fmt.Sprintf("%s %d→%d", s.Street, s.N, s.Need))
	}
	if _, err := fmt.Fprintf(w, "  %s\n  (%s)\n", strings.Join(parts, ", "), rec.Note); err != nil {
		return err
	}
	for _, s := range rec.Streets {
		if _, err := fmt.Fprintf(w, "  %s: %s\n", s.Street, s.Reason()); err != nil {
			return err
		}
	}
	return nil
}

// varianceWords names a variance estimator in a sentence.
func varianceWords(v string) string {
	if v == "wr" {
		return "with replacement (communities as if drawn with replacement)"
	}
	return "without replacement (PPS communities, Brewer, plus households within them)"
}

// Reason says in English which goal sets the street's recommended sample;
// the design page says the same in the reader's language
// (design.driven.* in web/i18n).
func (s StreetNeed) Reason() string {
	switch s.DrivenBy {
	case "census":
		return fmt.Sprintf("a census: even all %d households only just reach the goal (%s)", s.Need, s.Indicator)
	case "power":
		return fmt.Sprintf("%d households, set by the power to flag %s below its target", s.Need, s.Indicator)
	}
	return fmt.Sprintf("%d households, set by the interval width of %s", s.Need, s.Indicator)
}

// WriteMarkdown writes the report as Markdown: how it was made, the
// district, the streets, and the recommendation; svg names the chart to
// link ("" for none).
func (r *DesignReport) WriteMarkdown(w io.Writer, command, svg string) error {
	fmt.Fprintf(w, "# Monte Carlo evaluation of the default mock-survey design\n\n")
	fmt.Fprintf(w, "Made by (the frame and TRUTH.json from `minyi simulate district --seed %d` with its default size, 8 streets × 12 communities × 400 households):\n\n```sh\n%s\n```\n\n", r.Design.DistrictSeed, command)
	fmt.Fprintf(w, "%d repetitions of sample → simulated response → estimate, in memory: a two-stage sample of %d households "+
		"(n = %d asked for; %d per community, communities by PPS, %s allocation to %d streets; %d households in the frame), "+
		"%.0f %% of them responding at random, each answering from the synthetic district's true propensities; "+
		"estimates and 95 %% "+r.Design.CI.String()+" intervals of rates by Taylor linearisation (package stats, as R's survey package), variance "+r.Design.Variance.String()+" ("+varianceWords(r.Design.Variance.String())+"). "+
		"*True* is the district's true value (TRUTH.json); *width* the mean width of the 95 %% interval; *coverage* the share of "+
		"intervals holding the truth; *P(flag)* the share of repetitions whose interval lies wholly below the target "+
		"(the power to find a street that is below, a false alarm for one that is above); *n* the mean number of respondents.\n\n",
		r.Reps, r.Design.Drawn, r.Design.N, r.Design.PerCommunity, r.Design.Allocation, r.Design.Streets, r.Design.Households, 100*r.Design.ResponseRate)
	if svg != "" {
		fmt.Fprintf(w, "![P(flag below target) against true − target](%s)\n\n", svg)
	}
	fmt.Fprintln(w, "| street | indicator | true | bias | RMSE | mean SE | width | coverage | P(flag) | n |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	ids := make([]string, 0, len(r.District))
	for id := range r.District {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	row := func(street, id string, m Metrics) {
		flag := "–"
		if m.PFlagBelow != nil {
			flag = fmt.Sprintf("%.3f", *m.PFlagBelow)
		}
		fmt.Fprintf(w, "| %s | %s | %.3f | %+.4f | %.4f | %.4f | %.3f | %.3f | %s | %.0f |\n", street, id, m.True, m.Bias, m.RMSE, m.MeanSE, m.MeanWidth, m.Coverage, flag, m.MeanN)
	}
	for _, id := range ids {
		row("**district**", id, r.District[id])
	}
	for _, s := range r.Streets {
		row(s.Street, s.Indicator, s.Metrics)
	}
	r.writeCommunitiesMarkdown(w)
	rec := r.Recommendation
	fmt.Fprintf(w, "\n## Recommendation\n\nFor a 95 %% interval no wider than %.2f on every rate in every street, and a %.0f %% chance of flagging a street that is below target, "+
		"the streets need (households drawn, before non-response):\n\n| street | drawn now | for the width | for the power | needed | why |\n|---|--:|--:|--:|--:|---|\n",
		rec.TargetWidth, 100*rec.Power)
	for _, s := range rec.Streets {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %s |\n", s.Street, s.N, s.Width, s.Power, s.Need, s.Reason())
	}
	if r.Design.Drawn < r.Design.N {
		fmt.Fprintf(w, "\nOnly %d of the %d households asked for could be drawn: some streets have fewer communities than their share needs at %d a community, "+
			"so every community of those streets is taken (with certainty: without replacement they add no variance between communities; "+
			"with replacement they would be counted as drawn, and the intervals would be conservative there).\n", r.Design.Drawn, r.Design.N, r.Design.PerCommunity)
	}
	_, err := fmt.Fprintf(w, "\nAt most %d households in a street, %d in all. The figures are %s. A street whose true rate sits just below its target needs a very large sample to be flagged with confidence: no design separates 84.5 %% from 85 %%.\n",
		rec.PerStreet, rec.Total, rec.Note)
	return err
}

// WriteSVG draws the power chart: for every street and indicator with a
// target, the chance of being flagged below target (y) against how far
// the true value lies from the target (x), one colour per indicator, with
// the target (x = 0), the wanted power and the 5 % line marked.
func (r *DesignReport) WriteSVG(w io.Writer) error {
	targets := r.Targets
	const W, H, left, right, top, bottom = 640, 400, 60, 150, 30, 50
	pw, ph := float64(W-left-right), float64(H-top-bottom)
	xmin, xmax := -0.15, 0.15
	for _, s := range r.Streets {
		if t, ok := targets[s.Indicator]; ok {
			d := s.True - t
			xmin, xmax = min(xmin, d-0.01), max(xmax, d+0.01)
		}
	}
	px := func(x float64) float64 { return float64(left) + (x-xmin)/(xmax-xmin)*pw }
	py := func(y float64) float64 { return float64(top) + (1-y)*ph }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", W, H, W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14">Chance a street is flagged below target, %d repetitions</text>`+"\n", left, r.Reps)
	// Axes and grid.
	for _, y := range []float64{0, 0.25, 0.5, 0.75, 1} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%.2f</text>`+"\n",
			left, px(xmax), py(y), py(y), left-6, py(y)+4, y)
	}
	for x := math.Ceil(xmin*20) / 20; x <= xmax+1e-9; x += 0.05 {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="middle">%+.2f</text>`+"\n",
			px(x), px(x), py(0), py(1), px(x), py(0)+16, x)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#333" stroke-dasharray="4 3"/>`+"\n", px(0), px(0), py(0), py(1))
	power := r.Recommendation.Power
	for _, y := range []float64{power, 0.05} {
		fmt.Fprintf(&b, `<line x1="%d" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="2 3"/>`+"\n", left, px(xmax), py(y), py(y))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">true value − target (left of the dashed line: below target)</text>`+"\n", float64(left)+pw/2, H-8)
	fmt.Fprintf(&b, `<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">P(flag below target)</text>`+"\n", float64(top)+ph/2)
	colours := []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"}
	ids := make([]string, 0, len(targets))
	for id := range targets {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for i, id := range ids {
		c := colours[i%len(colours)]
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="5" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", W-right+20, top+20+18*i, c, W-right+30, top+24+18*i, id)
		for _, s := range r.Streets {
			if s.Indicator != id || s.PFlagBelow == nil {
				continue
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s" fill-opacity="0.8"><title>%s %s: true %.3f, P(flag) %.3f</title></circle>`+"\n",
				px(s.True-targets[id]), py(*s.PFlagBelow), c, s.Street, id, s.True, *s.PFlagBelow)
		}
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCommunitiesText writes the community-level cells, if any.
func (r *DesignReport) writeCommunitiesText(w io.Writer) error {
	if len(r.Communities) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\ncommunities: each rate in each drawn community, direct (its own sample) and model (Fay-Herriot EBLUP, arcsine scale, street as a factor), against the community's truth; mean over communities\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "indicator\tcommunities\tn\tdirect RMSE\tmean SE\tcoverage\twith interval\tmodel RMSE\tmean SE\tcoverage\tRMSE gain\tfits failed\t")
	for _, c := range r.Communities {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.4f\t%.4f\t%.3f\t%.3f\t%.4f\t%.4f\t%.3f\t%.1f %%\t%d\t\n", c.Indicator, c.Communities, c.MeanN,
			c.Direct.RMSE, c.Direct.MeanSE, c.Direct.Coverage, c.Direct.WithInterval, c.Model.RMSE, c.Model.MeanSE, c.Model.Coverage, 100*c.RMSEGain, c.ModelFailed)
	}
	return tw.Flush()
}

// writeCommunitiesMarkdown writes the community-level cells, if any.
func (r *DesignReport) writeCommunitiesMarkdown(w io.Writer) {
	if len(r.Communities) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Communities\n\nEach rate in each drawn community, estimated directly from the community's own respondents "+
		"(design SE within the community, logit interval with n − 1 degrees of freedom; none when every respondent answered alike) "+
		"and by the model (Fay–Herriot EBLUP on the arcsine scale with the street as a factor, √MSE as its SE), both judged against the "+
		"community's true rate; RMSE, mean SE and coverage per community over the repetitions that drew it, then averaged over communities. "+
		"*RMSE gain* is 1 − model RMSE / direct RMSE.\n\n")
	fmt.Fprintln(w, "| indicator | communities | n | direct RMSE | direct mean SE | direct coverage | with interval | model RMSE | model mean SE | model coverage | RMSE gain | fits failed |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, c := range r.Communities {
		fmt.Fprintf(w, "| %s | %d | %.1f | %.4f | %.4f | %.3f | %.3f | %.4f | %.4f | %.3f | %.1f %% | %d |\n", c.Indicator, c.Communities, c.MeanN,
			c.Direct.RMSE, c.Direct.MeanSE, c.Direct.Coverage, c.Direct.WithInterval, c.Model.RMSE, c.Model.MeanSE, c.Model.Coverage, 100*c.RMSEGain, c.ModelFailed)
	}
}
