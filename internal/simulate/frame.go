package simulate

import (
	"io"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/sampling"
)

// Frame is a district's households in memory, as sampling sees them
// (street and community indexes), with each household's adults.
type Frame struct {
	Streets     []string
	Communities []FrameCommunity
	// Units are the households: Stratum is the index of the street, PSU the
	// index of the community in Communities.
	Units []sampling.Unit
	// adults of household i: adultCells[adultStart[i]:adultStart[i+1]].
	adultStart []int32
	adultCells []uint8
}

// FrameCommunity is one community of a Frame.
type FrameCommunity struct {
	Street int32
	Name   string
}

// Adults returns the respondent cells of household i's adults.
func (f *Frame) Adults(i int) []uint8 { return f.adultCells[f.adultStart[i]:f.adultStart[i+1]] }

// frameBuilder adds households in order.
type frameBuilder struct {
	f       *Frame
	streets map[string]int32
	comms   map[[2]string]int32
}

func newFrameBuilder() *frameBuilder {
	return &frameBuilder{f: &Frame{adultStart: []int32{0}}, streets: map[string]int32{}, comms: map[[2]string]int32{}}
}

func (b *frameBuilder) add(street, community string, residents []Person) {
	s, ok := b.streets[street]
	if !ok {
		s = int32(len(b.f.Streets))
		b.streets[street] = s
		b.f.Streets = append(b.f.Streets, street)
	}
	c, ok := b.comms[[2]string{street, community}]
	if !ok {
		c = int32(len(b.f.Communities))
		b.comms[[2]string{street, community}] = c
		b.f.Communities = append(b.f.Communities, FrameCommunity{Street: s, Name: community})
	}
	b.f.Units = append(b.f.Units, sampling.Unit{Stratum: s, PSU: c, Size: int32(len(residents))})
	for _, p := range residents {
		if p.Adult() {
			b.f.adultCells = append(b.f.adultCells, uint8(p.Cell()))
		}
	}
	b.f.adultStart = append(b.f.adultStart, int32(len(b.f.adultCells)))
}

// Frame returns the district's households as a Frame.
func (d *District) Frame() *Frame {
	b := newFrameBuilder()
	for _, s := range d.Streets {
		for _, c := range s.Communities {
			for _, h := range c.Households {
				b.add(s.Name, c.Name, h.Residents)
			}
		}
	}
	return b.f
}

// FrameBuilder builds a Frame from addresses given in frame order.
type FrameBuilder struct {
	b    *frameBuilder
	seed uint64
}

// NewFrameBuilder returns a builder that gives each household the
// residents the district of seed gives its address (as ReadFrame does).
func NewFrameBuilder(seed uint64) *FrameBuilder {
	return &FrameBuilder{b: newFrameBuilder(), seed: seed}
}

// Add adds a household.
func (b *FrameBuilder) Add(street, community, building, household string) {
	b.b.add(street, community, Residents(b.seed, street, community, building, household))
}

// Frame returns the frame built; it is Invalid without households.
func (b *FrameBuilder) Frame() (*Frame, error) {
	if len(b.b.f.Units) == 0 {
		return nil, apperr.New(apperr.Invalid, "the frame has no households")
	}
	return b.b.f, nil
}

// ReadFrame reads a frame file (CSV or XLSX, as minyi frame import reads
// it) and gives each household the residents that the district of seed
// gives its address.
func ReadFrame(in io.Reader, seed uint64) (*Frame, error) {
	r, err := frame.NewReader(in, frame.Options{})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b := newFrameBuilder()
	for r.Next() {
		row := r.Row()
		b.add(row.Street, row.Community, Residents(seed, row.Street, row.Community, row.Building, row.Household))
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(b.f.Units) == 0 {
		return nil, apperr.New(apperr.Invalid, "the frame has no households")
	}
	return b.f, nil
}
