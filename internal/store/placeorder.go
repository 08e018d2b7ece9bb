package store

import (
	"context"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// PlaceOrder is the district's order of its streets and communities, as
// the administrator sets it: every street id once, first to last, and for
// a street whose communities are reordered, every community id of that
// street once.
type PlaceOrder struct {
	Streets     []int64           `json:"streets"`
	Communities map[int64][]int64 `json:"communities,omitempty"` // street id → community ids
}

// SetPlaceOrder stores the district's order and its audit entry
// (frame.order) in one transaction. A list that leaves out a street (or
// a community of a reordered street), names one twice or names one that
// does not exist is Invalid, and nothing changes.
func (db *DB) SetPlaceOrder(ctx context.Context, o PlaceOrder, by Actor) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		var ss []Street
		if err := tx.SelectContext(ctx, &ss, db.Q("list-streets")); err != nil {
			return db.mapErr(err, "streets")
		}
		ids := make([]int64, len(ss))
		for i, s := range ss {
			ids[i] = s.ID
		}
		if !samePlaces(ids, o.Streets) {
			return apperr.WithFields("invalid order", map[string]string{"streets": "every street once"})
		}
		var cs []Community
		if err := tx.SelectContext(ctx, &cs, db.Q("list-communities")); err != nil {
			return db.mapErr(err, "communities")
		}
		of := map[int64][]int64{}
		for _, c := range cs {
			of[c.StreetID] = append(of[c.StreetID], c.ID)
		}
		// Rows are written in id order (lockorder.go), streets first.
		pos := make(map[int64]int, len(o.Streets))
		for i, id := range o.Streets {
			pos[id] = i + 1
		}
		slices.Sort(ids)
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, db.Q("set-street-position"), pos[id], id); err != nil {
				return db.mapErr(err, "street order")
			}
		}
		streets := make([]int64, 0, len(o.Communities))
		for sid := range o.Communities {
			streets = append(streets, sid)
		}
		slices.Sort(streets)
		changed := 0
		for _, sid := range streets {
			list := o.Communities[sid]
			if !samePlaces(of[sid], list) {
				return apperr.WithFields("invalid order", map[string]string{"communities": "every community of each street once"})
			}
			cpos := make(map[int64]int, len(list))
			for i, id := range list {
				cpos[id] = i + 1
			}
			cids := slices.Sorted(slices.Values(list))
			for _, id := range cids {
				if _, err := tx.ExecContext(ctx, db.Q("set-community-position"), cpos[id], id, sid); err != nil {
					return db.mapErr(err, "community order")
				}
			}
			changed++
		}
		return db.AuditIn(ctx, tx, by, "frame.order", "frame", "", map[string]any{
			"streets": len(o.Streets), "streets_with_communities_reordered": changed,
		})
	})
}

// samePlaces reports whether got holds exactly the ids of want, each once.
func samePlaces(want, got []int64) bool {
	if len(want) != len(got) {
		return false
	}
	a, b := slices.Clone(want), slices.Clone(got)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
