package simulate

import "fmt"

// streetNames are plausible street (街道) names of a county town.
var streetNames = []string{
	"城关街道", "东城街道", "西城街道", "南湖街道", "北山街道", "河西街道", "新华街道", "滨江街道",
	"文昌街道", "凤凰街道", "龙泉街道", "青山街道", "白云街道", "金山街道", "长安街道", "和平街道",
	"解放街道", "建设街道", "花园街道", "朝阳街道", "新城街道", "东关街道", "西关街道", "兴华街道",
}

// communityStems are plausible community (社区) names without the suffix.
var communityStems = []string{
	"幸福", "和谐", "阳光", "翠园", "锦绣", "康乐", "明珠", "春晖", "向阳", "光明", "民主", "团结",
	"友谊", "胜利", "兴隆", "富民", "紫荆", "桂花", "枫林", "梧桐", "松涛", "杏林", "书香", "滨河",
	"东湖", "西苑", "南苑", "北苑", "新村", "丽景", "金桥", "银河", "长青", "永安", "福寿", "安居",
	"祥和", "瑞丰", "金穗", "玉泉", "清河", "荷塘", "柳岸", "望江", "文化", "育才", "工农", "红旗",
}

// streetName returns the name of the i-th street (0-based); beyond the
// list, numbered names.
func streetName(i int) string {
	if i < len(streetNames) {
		return streetNames[i]
	}
	return fmt.Sprintf("第%d街道", i+1)
}

// communityName returns the name of the k-th community of the district
// (0-based, counted across streets), unique in the district.
func communityName(k int) string {
	n := len(communityStems)
	stem := communityStems[k%n]
	if round := k / n; round > 0 {
		return fmt.Sprintf("%s%s社区", stem, chineseNumeral(round+1))
	}
	return stem + "社区"
}

func chineseNumeral(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n <= 10 {
		return digits[n]
	}
	return fmt.Sprint(n)
}
