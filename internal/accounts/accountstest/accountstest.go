// Package accountstest makes account lists for tests: a list of n
// supervisors and interviewers with Chinese headers and role names, as CSV
// (UTF-8 or GBK) or XLSX.
package accountstest

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Header is the Chinese header row.
var Header = []string{"姓名", "账号", "角色", "街道", "手机"}

var surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
var given = []string{"芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"}

// List returns the header and n accounts over streets: every tenth a
// supervisor (督导), the rest interviewers (访员); usernames u001, u002, ….
func List(n int, streets ...string) [][]string {
	rows := [][]string{Header}
	for i := 1; i <= n; i++ {
		role := "访员"
		if i%10 == 1 {
			role = "督导"
		}
		name := string(surnames[i%len(surnames)]) + given[i%len(given)] + given[(i/len(given))%len(given)]
		phone := ""
		if i%3 != 0 {
			phone = fmt.Sprintf("139%08d", i)
		}
		rows = append(rows, []string{name, fmt.Sprintf("u%03d", i), role, streets[i%len(streets)], phone})
	}
	return rows
}

// CSV writes rows as CSV, in GBK when gbk is set (as Excel on a Chinese
// Windows saves it), else UTF-8.
func CSV(rows [][]string, gbk bool) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	if !gbk {
		return b.Bytes()
	}
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		panic(err)
	}
	return out
}

// XLSX writes rows as the first sheet of a workbook.
func XLSX(rows [][]string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			panic(err)
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}
