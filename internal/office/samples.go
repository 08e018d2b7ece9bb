package office

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
)

// Registers shows the upload form of a household register and the
// frame versions with their counts; ?version=V shows that version's
// streets (default: the newest).
func (s *Handler) Registers(c echo.Context) error {
	ctx := c.Request().Context()
	fs, err := s.db.Frames(ctx)
	if err != nil {
		return err
	}
	places, err := s.places(c)
	if err != nil {
		return err
	}
	data := map[string]any{"Frames": fs, "Places": places}
	if len(fs) > 0 {
		cur := fs[0]
		if v := c.QueryParam("version"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return apperr.New(apperr.NotFound, "frame version %q not found", v)
			}
			if cur, err = s.db.FrameByVersion(ctx, n); err != nil {
				return err
			}
		}
		streets, err := s.db.FrameStreetCounts(ctx, cur.ID)
		if err != nil {
			return err
		}
		data["Current"], data["Streets"] = cur, streets
	}
	return s.ui.Render(c, "office_registers", "office.registers.title", data)
}

// placeStreet is a street of the order form with its communities.
type placeStreet struct {
	store.Street
	Communities []store.Community
}

// places lists every street with its communities in the district's order,
// for the order form of the registers page.
func (s *Handler) places(c echo.Context) ([]placeStreet, error) {
	ctx := c.Request().Context()
	ss, err := s.db.Streets(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.db.Communities(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]placeStreet, len(ss))
	at := make(map[int64]int, len(ss))
	for i, st := range ss {
		out[i].Street, at[st.ID] = st, i
	}
	for _, cm := range cs {
		if i, ok := at[cm.StreetID]; ok {
			out[i].Communities = append(out[i].Communities, cm)
		}
	}
	return out, nil
}

// sampleRow is a drawn sample with its household counts, as every page
// shows them (rounds.Service.Households).
type sampleRow struct {
	store.Sample
	Households fieldwork.Households
}

// Samples shows the design form with the sample-size calculator and
// the allocation preview beside it, and the drawn samples.
func (s *Handler) Samples(c echo.Context) error {
	ctx := c.Request().Context()
	ss, err := s.db.Samples(ctx)
	if err != nil {
		return err
	}
	fs, err := s.db.Frames(ctx)
	if err != nil {
		return err
	}
	hs, err := s.rounds.Households(ctx, store.Scope{}, 0)
	if err != nil {
		return err
	}
	rows := make([]sampleRow, len(ss))
	for i, x := range ss {
		rows[i] = sampleRow{Sample: x, Households: hs[x.ID]}
	}
	return s.ui.Render(c, "office_samples", "office.samples.title", map[string]any{
		"Samples": rows, "Frames": fs, "Admin": request.User(c).Role == store.RoleAdmin,
		"Defaults": map[string]any{"PerCommunity": draw.DefaultPerCommunity},
	})
}

// Sample shows a drawn sample: its design, the per-street table and
// the link to its households as CSV.
func (s *Handler) Sample(c echo.Context) error {
	smp, err := s.sampleParam(c)
	if err != nil {
		return err
	}
	streets, spec, err := draw.Streets(smp)
	if err != nil {
		return err
	}
	if err := s.inDistrictOrder(c, streets); err != nil {
		return err
	}
	// The per-street table is what the draw recorded with the sample (a
	// sample never changes): no pass over its households.
	var total draw.StreetResult
	for _, st := range streets {
		t := &total.Result
		t.Households += st.Result.Households
		t.Communities += st.Result.Communities
		t.Requested += st.Result.Requested
		t.Drawn += st.Result.Drawn
		t.Reserves += st.Result.Reserves
		t.PSUsDrawn += st.Result.PSUsDrawn
		total.Allocation.Size += st.Allocation.Size
	}
	hs, err := s.rounds.Households(c.Request().Context(), store.Scope{}, smp.ID)
	if err != nil {
		return err
	}
	return s.ui.Render(c, "office_sample", "office.sample.title", map[string]any{
		"Sample": smp, "Spec": spec, "Streets": streets, "Total": total, "Households": hs[smp.ID],
		"CSV": "/api/v1/samples/" + url.PathEscape(smp.Name) + "/households?format=csv",
	})
}

// sampleParam loads the sample named in the path.
func (s *Handler) sampleParam(c echo.Context) (store.Sample, error) {
	name, err := request.NameParam(c, "name", "sample")
	if err != nil {
		return store.Sample{}, err
	}
	return s.db.SampleByName(c.Request().Context(), name)
}

// inDistrictOrder sorts a sample's streets (as the draw recorded them) in
// the district's order; a street no longer stored goes last.
func (s *Handler) inDistrictOrder(c echo.Context, streets []draw.StreetResult) error {
	rank, err := s.db.StreetRank(c.Request().Context())
	if err != nil {
		return err
	}
	slices.SortStableFunc(streets, func(a, b draw.StreetResult) int { return cmp.Compare(rank(a.Street), rank(b.Street)) })
	return nil
}
