package rounds

import (
	"context"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// StreetProgress is Progress within one street (0: every street the
// caller sees), for an office page with a street selector. A street
// outside the caller's own is NotFound.
func (s *Service) StreetProgress(ctx context.Context, c Caller, roundID int64, by string, streetID int64) (Progress, error) {
	if own := c.Scope().StreetID; own != 0 {
		if streetID != 0 && streetID != own {
			return Progress{}, apperr.New(apperr.NotFound, "street %d not found", streetID)
		}
		streetID = own
	}
	return s.progress(ctx, c, roundID, by, store.Scope{StreetID: streetID})
}
