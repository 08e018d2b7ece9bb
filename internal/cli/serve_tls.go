package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/certs"
	"github.com/minyi-survey/minyi/internal/config"
)

// certWatchInterval is how often serve looks whether the certificate files
// changed (a renewal copied over them).
var certWatchInterval = 5 * time.Second

// https is how serve speaks HTTPS.
type https struct {
	config  *tls.Config
	keypair *certs.Keypair    // files: --tls-cert/--tls-key or --tls-local
	acme    *autocert.Manager // --acme-domain
}

// httpsOf loads the configured certificates; nil without HTTPS.
func httpsOf(ctx context.Context, cfg config.Config, log *slog.Logger) (*https, error) {
	h := &https{}
	switch {
	case cfg.TLSCert != "":
		kp, err := certs.LoadKeypair(cfg.TLSCert, cfg.TLSKey, "--tls-cert", "--tls-key", log)
		if err != nil {
			return nil, err
		}
		h.keypair = kp
	case cfg.TLSLocal != "":
		if _, err := os.Stat(cfg.TLSLocal); errors.Is(err, os.ErrNotExist) {
			return nil, apperr.New(apperr.Invalid, "--tls-local %s: no such directory; make it with 'minyi tls local --hosts ADDRESSES --dir %s'", cfg.TLSLocal, cfg.TLSLocal)
		}
		kp, err := certs.LoadKeypair(filepath.Join(cfg.TLSLocal, certs.CertFile), filepath.Join(cfg.TLSLocal, certs.KeyFile), "--tls-local", "--tls-local", log)
		if err != nil {
			return nil, err
		}
		h.keypair = kp
	case len(cfg.ACMEDomains) > 0:
		m, err := certs.ACME(cfg.ACMEDomains, cfg.ACMEEmail, cfg.ACMECache, cfg.ACMEDirectory)
		if err != nil {
			return nil, err
		}
		h.acme = m
		h.config = m.TLSConfig()
		h.config.MinVersion = tls.VersionTLS12
		h.config.NextProtos = []string{"http/1.1", acme.ALPNProto}
		return h, nil
	default:
		return nil, nil
	}
	h.config = &tls.Config{GetCertificate: h.keypair.GetCertificate, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	return h, nil
}

// warning says what is wrong with the certificate in use, "" if nothing.
func (h *https) warning() string {
	if h.keypair == nil {
		return ""
	}
	return certs.Expiry(h.keypair.Leaf(), time.Now())
}

// servePlain answers the plain-HTTP listener with h (a redirect to HTTPS)
// until ctx ends.
func servePlain(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("plain-HTTP redirect listener stopped", "err", err)
	}
}

// reloadOnHangup loads the certificate files again on each SIGHUP.
func reloadOnHangup(ctx context.Context, kp *certs.Keypair) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGHUP)
	defer signal.Stop(c)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c:
			kp.Reload()
		}
	}
}

// networkURLs lists the URLs other machines can use to reach a server
// listening on addr: one per address of this machine's interfaces that are
// up (loopback and link-local left out) when addr listens on all of them,
// else addr's own.
func networkURLs(scheme, addr string) []string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
		return []string{scheme + net.JoinHostPort(host, port)}
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []string
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if !ok || n.IP.IsLinkLocalUnicast() || n.IP.IsLoopback() {
				continue
			}
			out = append(out, scheme+net.JoinHostPort(n.IP.String(), port))
		}
	}
	return out
}
