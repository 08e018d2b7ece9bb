package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/minyi-survey/minyi/internal/certs"
)

func tlsCommand() *Command {
	c := &Command{
		Name:    "tls",
		Usage:   "tls local --hosts ADDRESSES [--dir minyi-tls]",
		Summary: "Make HTTPS certificates for an office LAN: a local authority and a server certificate signed by it.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "tls", tlsHelp, args, action{"local", tlsLocal})
	}
	return c
}

const tlsHelp = `usage:
  minyi tls local --hosts 192.168.1.10,minyi.lan,localhost [--dir minyi-tls]

Tablets reach minyi over the office network only by HTTPS: without it
they get no offline app. Where the server has no public name, 'tls local'
makes a certificate authority of the office's own (once; later runs reuse
it) and a server certificate for the addresses and names the tablets use,
signed by it. Serve with

  minyi serve --addr 0.0.0.0:8443 --tls-local minyi-tls

and install the authority on each tablet and PC once: open
https://ADDRESS:8443/ca.crt (or scan the code on the administrator's page
/tls) and follow the steps there. Run 'tls local' again with new
--hosts when the server's address changes: devices keep trusting.
`

func tlsLocal(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "tls local", Usage: "tls local --hosts ADDRESSES [--dir minyi-tls]", Summary: "Make a local authority and a server certificate for the office LAN."}
	fs := newFlagSet(env, c)
	hostsText := fs.String("hosts", "", "comma-separated IP addresses and host names the tablets use to reach the server, e.g. 192.168.1.10,minyi.lan,localhost (required)")
	dir := fs.String("dir", "minyi-tls", "directory to write ca.crt, ca.key, cert.pem and key.pem into (keys 0600)")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	hosts, err := certs.ParseHosts(*hostsText)
	if err != nil {
		return err
	}
	l, err := certs.MakeLocal(*dir, hosts, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s.\n\nServe with:\n\n    minyi serve --addr 0.0.0.0:8443 --tls-local %s\n\n"+
		"Then install the authority %s once on every tablet and PC (it is offered at https://%s:8443/ca.crt);\n"+
		"check its SHA-256 fingerprint there against the one above. Keep %s secret: whoever has it can impersonate the server.\n",
		l, *dir, filepath.Join(*dir, certs.CAFile), hosts[0], filepath.Join(*dir, certs.CAKey))
	return nil
}
