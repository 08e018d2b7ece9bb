package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire/xlsform"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// XLSFormProblems is the Details of the Invalid error of a workbook with
// problems: each with sheet, row, column and its message in English and
// Chinese.
type XLSFormProblems struct {
	Problems xlsform.Problems `json:"problems"`
	Total    int              `json:"total"`
}

// xlsformImport is the answer to an imported workbook: the draft, the
// warnings and the codes given to choices named otherwise than by a number.
type xlsformImport struct {
	store.QuestionnaireVersion
	Warnings xlsform.Problems       `json:"warnings"`
	Codes    []xlsform.AssignedCode `json:"codes"`
}

// tooLargeWorkbook is the 413 of a workbook over xlsform.MaxSize.
func tooLargeWorkbook() error {
	return apperr.New(apperr.TooLarge, "the workbook is larger than the limit of %s", request.FormatBytes(xlsform.MaxSize))
}

// ImportXLSForm stores an uploaded XLSForm workbook (multipart field
// "file") as its questionnaire's draft. A workbook with problems answers
// 422 with every problem, by sheet, row and column, in error.details; one
// over 20 MB answers 413; nothing is stored on either.
func (s *Handler) ImportXLSForm(c echo.Context) error {
	// The multipart envelope adds a little to the file.
	if c.Request().ContentLength > xlsform.MaxSize+64<<10 {
		return tooLargeWorkbook()
	}
	f, err := request.OpenUpload(c, "the workbook")
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Size > xlsform.MaxSize {
		return tooLargeWorkbook()
	}
	data, err := io.ReadAll(io.LimitReader(f, xlsform.MaxSize+1))
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "reading the upload")
	}
	res, err := xlsform.Read(data)
	if err != nil {
		var ps xlsform.Problems
		if !errors.As(err, &ps) {
			return err
		}
		msg := fmt.Sprintf("%s has %d problems; nothing was stored", f.Name, len(ps))
		if len(ps) == 1 {
			msg = f.Name + ": " + ps[0].String()
		}
		return &apperr.Error{Kind: apperr.Invalid, Message: msg, Details: XLSFormProblems{Problems: ps, Total: len(ps)}}
	}
	v, err := survey.ImportDefinition(c.Request().Context(), s.db, f.Name, res.Definition, request.Actor(c))
	if err != nil {
		return err
	}
	out := xlsformImport{QuestionnaireVersion: v, Warnings: res.Warnings, Codes: res.Codes}
	if out.Warnings == nil {
		out.Warnings = xlsform.Problems{}
	}
	if out.Codes == nil {
		out.Codes = []xlsform.AssignedCode{}
	}
	return c.JSON(http.StatusCreated, out)
}

// ExportXLSForm downloads a version (a number, latest or draft) as an
// XLSForm workbook, which ImportXLSForm reads back to the same content
// hash.
func (s *Handler) ExportXLSForm(c echo.Context) error {
	ref, err := survey.ParseRef(c.Param("version"))
	if err != nil {
		return apperr.New(apperr.NotFound, "version %q not found: use a number, latest or draft", c.Param("version"))
	}
	v, d, err := survey.Get(c.Request().Context(), s.db, c.Param("slug"), ref)
	if err != nil {
		return err
	}
	version := "draft"
	if v.Version > 0 {
		version = strconv.Itoa(v.Version)
	}
	data, err := xlsform.Write(d, version)
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "writing the workbook of %s", v.Slug)
	}
	request.Attachment(c, v.Slug+"-"+version+".xlsx")
	return c.Blob(http.StatusOK, xlsxType, data)
}
