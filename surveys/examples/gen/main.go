// Command gen writes the example files of surveys/examples, which the
// README's first session uses: register.csv, a household register (户籍
// 登记) of a small invented county town, and responses.csv, invented
// answers of a two-stage sample of its households to the shipped
// questionnaire wenming-household, one column per indicator of that
// questionnaire. The output depends only on the fixed seeds below, so the
// committed files can be checked against it (go test ./surveys/examples/gen).
//
// Run from the repository root:
//
//	go run ./surveys/examples/gen
package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/surveys"
)

// streets are the invented county town: three streets (街道) of four to six
// communities (社区), and how each street answers (the true rates the
// example responses are drawn with, so that the streets differ).
var streets = []struct {
	name        string
	communities []string
	aware       float64 // P(知道)
	support     float64 // P(支持)
	join        float64 // P(took part in any activity)
	satisfied   float64 // P(非常满意 or 满意) on each item
}{
	{"城关街道", []string{"东风社区", "解放社区", "文化社区", "人民社区", "建设社区"}, 0.93, 0.95, 0.82, 0.88},
	{"南湖街道", []string{"湖滨社区", "南苑社区", "新华社区", "金桥社区"}, 0.86, 0.90, 0.70, 0.80},
	{"北门街道", []string{"北关社区", "迎宾社区", "光明社区", "和平社区", "朝阳社区", "幸福社区"}, 0.78, 0.88, 0.61, 0.74},
}

const (
	registerSeed     = 20261101
	responseSeed     = 20261102
	communitiesDrawn = 2  // per street, with probability proportional to size
	perCommunity     = 15 // households interviewed in each drawn community
)

// household is one row of the register.
type household struct {
	street, community, building, address string
	size                                 int
}

func main() {
	dir := "surveys/examples"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := generate()
	if err != nil {
		log.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// generate returns the example files by name.
func generate() (map[string][]byte, error) {
	hh := register()
	resp, err := responses(hh)
	if err != nil {
		return nil, err
	}
	var reg bytes.Buffer
	w := csv.NewWriter(&reg)
	w.Write([]string{"街道", "社区", "楼栋", "门牌号", "户人数"})
	for _, h := range hh {
		w.Write([]string{h.street, h.community, h.building, h.address, strconv.Itoa(h.size)})
	}
	w.Flush()
	return map[string][]byte{"register.csv": reg.Bytes(), "responses.csv": resp}, w.Error()
}

// register lists 18–40 households in each community, in buildings of two
// or three entrances (单元) and six floors, addressed like 3栋2单元501.
func register() []household {
	rng := rand.New(rand.NewPCG(registerSeed, 1))
	var out []household
	for _, st := range streets {
		for _, c := range st.communities {
			n := 18 + rng.IntN(23)
			seen := map[string]bool{}
			for len(seen) < n {
				b := 1 + rng.IntN(6)
				addr := fmt.Sprintf("%d栋%d单元%d%02d", b, 1+rng.IntN(3), 1+rng.IntN(6), 1+rng.IntN(2))
				if seen[addr] {
					continue
				}
				seen[addr] = true
				out = append(out, household{st.name, c, fmt.Sprintf("%d栋", b), addr, 1 + rng.IntN(5)})
			}
		}
	}
	return out
}

// responses draws, in each street, communitiesDrawn communities by
// systematic PPS (size = households) and perCommunity households at random
// in each, and invents their answers. The weight is 1/π with
// π = communitiesDrawn·N_c/N_street · perCommunity/N_c.
func responses(hh []household) ([]byte, error) {
	def, err := questionnaire.Load(surveys.FS, "wenming-household.yaml")
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(responseSeed, 2))
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := []string{"street", "community", "address", "weight"}
	for _, ind := range def.Indicators {
		header = append(header, ind.ID)
	}
	w.Write(header)
	for _, st := range streets {
		byCommunity := map[string][]household{}
		total := 0
		for _, h := range hh {
			if h.street == st.name {
				byCommunity[h.community] = append(byCommunity[h.community], h)
				total++
			}
		}
		step := float64(total) / communitiesDrawn
		at := rng.Float64() * step
		cum := 0.0
		for _, c := range st.communities {
			members := byCommunity[c]
			if float64(len(members)) >= step {
				return nil, fmt.Errorf("%s %s: %d households, too large to be drawn only once in steps of %.1f", st.name, c, len(members), step)
			}
			cum += float64(len(members))
			if at >= cum {
				continue
			}
			at += step // past this community: each is smaller than step (checked above)
			weight := float64(total) / float64(communitiesDrawn*perCommunity)
			for _, i := range rng.Perm(len(members))[:perCommunity] {
				r := answers(rng, st.aware, st.support, st.join, st.satisfied)
				if _, err := def.ValidateResponse(r); err != nil {
					return nil, fmt.Errorf("invented response is invalid: %v", err)
				}
				row := []string{st.name, c, members[i].address, strconv.FormatFloat(weight, 'f', 4, 64)}
				for _, v := range def.Score(r) {
					cell := ""
					if !v.Missing {
						cell = strconv.FormatFloat(v.Value, 'f', -1, 64)
					}
					row = append(row, cell)
				}
				w.Write(row)
			}
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// answers invents one eligible respondent's answers.
func answers(rng *rand.Rand, aware, support, join, satisfied float64) questionnaire.Response {
	r := questionnaire.Response{
		"S1": questionnaire.CodeAnswer(1),
		"S2": questionnaire.CodeAnswer(1),
		"E1": questionnaire.CodeAnswer(1 + rng.IntN(2)),
		"E2": questionnaire.CodeAnswer(1 + rng.IntN(6)),
		"E3": questionnaire.IntAnswer(1 + rng.IntN(40)),
	}
	if rng.Float64() < aware {
		r["A1"] = questionnaire.CodeAnswer(1)
		r["A2"] = questionnaire.CodesAnswer(1+rng.IntN(3), 4+rng.IntN(3))
	} else {
		r["A1"] = questionnaire.CodeAnswer(2)
	}
	switch u := rng.Float64(); {
	case u < support:
		r["B1"] = questionnaire.CodeAnswer(1)
	case u < support+0.03:
		r["B1"] = questionnaire.CodeAnswer(8) // 说不清
	case u < support+0.04:
		r["B1"] = questionnaire.CodeAnswer(9) // 拒答
	default:
		r["B1"] = questionnaire.CodeAnswer(2 + rng.IntN(2))
	}
	if rng.Float64() < join {
		r["C1"] = questionnaire.CodesAnswer(1 + rng.IntN(6))
	} else {
		r["C1"] = questionnaire.CodesAnswer(7) // 都没有参加
	}
	for _, q := range []string{"D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"} {
		switch u := rng.Float64(); {
		case u < satisfied:
			r[q] = questionnaire.CodeAnswer(1 + rng.IntN(2))
		case u < satisfied+0.04:
			r[q] = questionnaire.CodeAnswer(8) // 不了解
		default:
			r[q] = questionnaire.CodeAnswer(3 + rng.IntN(3))
		}
	}
	return r
}
