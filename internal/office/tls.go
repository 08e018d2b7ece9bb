package office

import (
	"errors"
	"io/fs"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/certs"
	"github.com/minyi-survey/minyi/internal/qrsvg"
	"github.com/minyi-survey/minyi/internal/request"
)

// tlsPage is what the administrator's certificate page shows: where
// tablets get the office's own authority (serve --tls-local), its
// fingerprint to check on the device, and a code to scan.
type tlsPage struct {
	Local       bool // serve uses a local authority
	URL         string
	QR          qrsvg.Code
	Subject     string
	Fingerprint string
	NotAfter    time.Time
}

// TLS is the administrator's page for putting the office's certificate
// authority on tablets and PCs (/tls). Without --tls-local it says there
// is nothing to install.
func (s *Handler) TLS(c echo.Context) error {
	p := tlsPage{}
	if s.TLSLocal != "" {
		_, ca, err := certs.LocalCA(s.TLSLocal)
		if err != nil {
			return err
		}
		p.Local, p.Subject, p.Fingerprint, p.NotAfter = true, ca.Subject.CommonName, certs.Fingerprint(ca.Raw), ca.NotAfter
		p.URL = "https://" + c.Request().Host + "/ca.crt"
		if p.QR, err = qrsvg.Encode(p.URL); err != nil {
			return err
		}
	}
	return s.ui.Render(c, "office_tls", "office.tls.title", p)
}

// CACert answers the office's own certificate authority (serve
// --tls-local) for devices to install: public, since a tablet fetches it
// before it can trust the server, and nothing in it is secret. 404 when
// serve has no local authority.
func (s *Handler) CACert(c echo.Context) error {
	if s.TLSLocal == "" {
		return echo.ErrNotFound
	}
	pem, _, err := certs.LocalCA(s.TLSLocal)
	if errors.Is(err, fs.ErrNotExist) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	request.Attachment(c, "minyi-ca.crt")
	return c.Blob(http.StatusOK, "application/x-x509-ca-cert", pem)
}
