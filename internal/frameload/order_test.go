package frameload

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// A register whose streets first appear in an order that is neither the
// code point order of their names (东城, 北山, 南湖, 城关) nor their pinyin
// order: the streets keep the register's order, and so do the
// communities of a street.
const orderCSV = "街道,社区,楼栋,门牌号\n" +
	"城关,西门社区,1栋,101\n" +
	"南湖,湖滨社区,1栋,101\n" +
	"城关,东门社区,1栋,101\n" +
	"北山,山下社区,1栋,101\n" +
	"南湖,湖滨社区,1栋,102\n" +
	"东城,城东社区,1栋,101\n"

// A later register adds a street and a community: they go after the
// stored ones, in its own order of first appearance.
const orderCSV2 = "街道,社区,楼栋,门牌号\n" +
	"西湖,湖西社区,1栋,101\n" +
	"东城,城东社区,1栋,101\n" +
	"城关,北门社区,1栋,101\n" +
	"城关,西门社区,1栋,101\n" +
	"安定,安定社区,1栋,101\n"

func streetNames(t *testing.T, db *store.DB) []string {
	t.Helper()
	ss, err := db.Streets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range ss {
		names = append(names, s.Name)
	}
	return names
}

func communityNames(t *testing.T, db *store.DB) []string {
	t.Helper()
	cs, err := db.Communities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}

func TestImportKeepsRegisterOrder(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, err := Import(ctx, db, strings.NewReader(orderCSV), "order.csv", frame.Options{}, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := streetNames(t, db), []string{"城关", "南湖", "北山", "东城"}; !slices.Equal(got, want) {
			t.Fatalf("streets = %v, want %v", got, want)
		}
		if got, want := communityNames(t, db), []string{"西门社区", "东门社区", "湖滨社区", "山下社区", "城东社区"}; !slices.Equal(got, want) {
			t.Fatalf("communities = %v, want %v", got, want)
		}
		sc, err := db.FrameStreets(ctx, f.ID)
		if err != nil || len(sc) != 4 || sc[0].Name != "城关" || sc[3].Name != "东城" {
			t.Fatalf("FrameStreets = %+v, %v", sc, err)
		}
		// What names its streets sorts by their rank: a name no longer
		// stored after every street.
		rank, err := db.StreetRank(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := []string{"已撤销街道", "东城", "城关", "北山", "南湖"}
		slices.SortStableFunc(names, func(a, b string) int { return rank(a) - rank(b) })
		if want := []string{"城关", "南湖", "北山", "东城", "已撤销街道"}; !slices.Equal(names, want) {
			t.Fatalf("sorted by StreetRank: %v, want %v", names, want)
		}
		if _, err := Import(ctx, db, strings.NewReader(orderCSV2), "order2.csv", frame.Options{}, store.CLI); err != nil {
			t.Fatal(err)
		}
		if got, want := streetNames(t, db), []string{"城关", "南湖", "北山", "东城", "西湖", "安定"}; !slices.Equal(got, want) {
			t.Fatalf("streets after a second register = %v, want %v", got, want)
		}
		if got, want := communityNames(t, db), []string{"西门社区", "东门社区", "北门社区", "湖滨社区", "山下社区", "城东社区", "湖西社区", "安定社区"}; !slices.Equal(got, want) {
			t.Fatalf("communities after a second register = %v, want %v", got, want)
		}
	})
}

func TestSetPlaceOrder(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := Import(ctx, db, strings.NewReader(orderCSV), "order.csv", frame.Options{}, store.CLI); err != nil {
			t.Fatal(err)
		}
		ss, err := db.Streets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := db.Communities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		id := map[string]int64{}
		for _, s := range ss {
			id[s.Name] = s.ID
		}
		for _, c := range cs {
			id[c.Name] = c.ID
		}
		bad := []store.PlaceOrder{
			{Streets: []int64{id["东城"], id["北山"], id["南湖"]}},                   // one left out
			{Streets: []int64{id["东城"], id["北山"], id["南湖"], id["南湖"]}},         // one twice
			{Streets: []int64{id["东城"], id["北山"], id["南湖"], id["城关"], 999999}}, // one unknown
			{Streets: []int64{id["东城"], id["北山"], id["南湖"], id["城关"]}, Communities: map[int64][]int64{ // a community of another street
				id["城关"]: {id["东门社区"], id["湖滨社区"]}}},
		}
		for i, o := range bad {
			if err := db.SetPlaceOrder(ctx, o, store.CLI); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("order %d: err = %v, want Invalid", i, err)
			}
		}
		if got, want := streetNames(t, db), []string{"城关", "南湖", "北山", "东城"}; !slices.Equal(got, want) {
			t.Fatalf("streets after refused orders = %v, want %v", got, want)
		}
		o := store.PlaceOrder{
			Streets:     []int64{id["东城"], id["北山"], id["南湖"], id["城关"]},
			Communities: map[int64][]int64{id["城关"]: {id["东门社区"], id["西门社区"]}},
		}
		if err := db.SetPlaceOrder(ctx, o, store.CLI); err != nil {
			t.Fatal(err)
		}
		if got, want := streetNames(t, db), []string{"东城", "北山", "南湖", "城关"}; !slices.Equal(got, want) {
			t.Fatalf("streets = %v, want %v", got, want)
		}
		if got, want := communityNames(t, db), []string{"城东社区", "山下社区", "湖滨社区", "东门社区", "西门社区"}; !slices.Equal(got, want) {
			t.Fatalf("communities = %v, want %v", got, want)
		}
		var n int
		if err := db.Reader().Get(&n, "SELECT COUNT(*) FROM audit_log WHERE action = 'frame.order'"); err != nil || n != 1 {
			t.Fatalf("audit entries = %d, %v; want 1", n, err)
		}
	})
}
