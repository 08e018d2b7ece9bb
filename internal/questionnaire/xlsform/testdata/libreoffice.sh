#!/bin/sh
# Makes the LibreOffice-saved workbooks of this directory, which the tests
# read without LibreOffice: the example workbook and the exports of both
# shipped questionnaires, each opened and saved again by LibreOffice Calc
# (apt-get install libreoffice-calc). Run from the repository root.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/minyi" ./cmd/minyi
(cd "$tmp" && ./minyi migrate up >/dev/null &&
	./minyi survey export-xlsform wenming-household@1 -o wenming-household.xlsx &&
	./minyi survey export-xlsform window-service@1 -o window-service.xlsx)
cp surveys/examples/xlsform-example.xlsx "$tmp/"
mkdir "$tmp/out"
HOME="$tmp" libreoffice --headless -env:UserInstallation="file://$tmp/profile" \
	--convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$tmp/out" \
	"$tmp/xlsform-example.xlsx" "$tmp/wenming-household.xlsx" "$tmp/window-service.xlsx"
d=internal/questionnaire/xlsform/testdata
cp "$tmp/out/xlsform-example.xlsx" $d/xlsform-example-libreoffice.xlsx
cp "$tmp/out/wenming-household.xlsx" $d/wenming-household-libreoffice.xlsx
cp "$tmp/out/window-service.xlsx" $d/window-service-libreoffice.xlsx
