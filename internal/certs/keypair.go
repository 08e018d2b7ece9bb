package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Keypair serves a certificate and key from files, loaded again when the
// files change (a renewal copied over them) or when Reload is called (on
// SIGHUP). A reload that fails keeps the pair in use and logs why.
type Keypair struct {
	certFile, keyFile string
	certFlag, keyFlag string // the settings that named the files, for messages
	log               *slog.Logger

	mu      sync.RWMutex
	cert    *tls.Certificate
	modTime time.Time // the newer of the two files' modification times
}

// LoadKeypair loads certFile and keyFile. A missing or unreadable file, a
// file that is not PEM, or a key that does not match the certificate is an
// Invalid error naming the setting (certFlag, keyFlag) and the file.
func LoadKeypair(certFile, keyFile, certFlag, keyFlag string, log *slog.Logger) (*Keypair, error) {
	k := &Keypair{certFile: certFile, keyFile: keyFile, certFlag: certFlag, keyFlag: keyFlag, log: log}
	c, mt, err := k.load()
	if err != nil {
		return nil, err
	}
	k.cert, k.modTime = c, mt
	return k, nil
}

func (k *Keypair) load() (*tls.Certificate, time.Time, error) {
	mt, err := modTime(k.certFile, k.keyFile)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		flag := k.certFlag
		if pe.Path == k.keyFile {
			flag = k.keyFlag
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, mt, apperr.New(apperr.Invalid, "%s %s: no such file", flag, pe.Path)
		}
		return nil, mt, apperr.New(apperr.Invalid, "%s %s: %v", flag, pe.Path, pe.Err)
	}
	c, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		return nil, mt, apperr.New(apperr.Invalid, "%s %s with %s %s: %v", k.certFlag, k.certFile, k.keyFlag, k.keyFile, err)
	}
	if c.Leaf == nil {
		if c.Leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
			return nil, mt, apperr.New(apperr.Invalid, "%s %s: %v", k.certFlag, k.certFile, err)
		}
	}
	return &c, mt, nil
}

// modTime is the newer of the files' modification times, or the first
// file's error (a *fs.PathError naming it).
func modTime(paths ...string) (time.Time, error) {
	var mt time.Time
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return mt, err
		}
		if st.ModTime().After(mt) {
			mt = st.ModTime()
		}
	}
	return mt, nil
}

// Leaf is the certificate in use.
func (k *Keypair) Leaf() *x509.Certificate {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.cert.Leaf
}

// GetCertificate is tls.Config.GetCertificate.
func (k *Keypair) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.cert, nil
}

// Reload loads the files again and uses them if they load.
func (k *Keypair) Reload() error {
	c, mt, err := k.load()
	if err != nil {
		k.log.Warn("TLS certificate not reloaded; the one in use stays", "err", err)
		return err
	}
	k.mu.Lock()
	k.cert, k.modTime = c, mt
	k.mu.Unlock()
	k.log.Info("TLS certificate loaded", "subject", c.Leaf.Subject.CommonName, "not_after", c.Leaf.NotAfter.Format(time.RFC3339))
	return nil
}

// Watch reloads the pair whenever either file's modification time changes,
// checking every interval, until ctx ends.
func (k *Keypair) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		mt, err := modTime(k.certFile, k.keyFile)
		if err != nil {
			continue // a renewal half copied: look again next tick
		}
		k.mu.RLock()
		changed := mt.After(k.modTime)
		k.mu.RUnlock()
		if changed {
			if k.Reload() != nil {
				// Do not retry a bad pair every tick: wait for the next change.
				k.mu.Lock()
				k.modTime = mt
				k.mu.Unlock()
			}
		}
	}
}

// Expiry says whether a certificate is expired or expires within the
// warning period, in words; "" when neither.
func Expiry(c *x509.Certificate, now time.Time) string {
	switch {
	case now.After(c.NotAfter):
		return "the TLS certificate expired on " + c.NotAfter.Format(time.DateOnly) + ": browsers refuse it; renew it"
	case now.Before(c.NotBefore):
		return "the TLS certificate is not valid before " + c.NotBefore.Format(time.DateOnly)
	case c.NotAfter.Sub(now) < 14*24*time.Hour:
		return "the TLS certificate expires on " + c.NotAfter.Format(time.DateOnly) + ": renew it"
	}
	return ""
}
