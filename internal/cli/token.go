package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/store"
)

func tokenCommand() *Command {
	c := &Command{
		Name:    "token",
		Usage:   "token create|list|revoke [flags]",
		Summary: "Manage API tokens (Authorization: Bearer) for scripts and tablets.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "token", tokenHelp, args, action{"create", tokenCreate}, action{"list", tokenList}, action{"revoke", tokenRevoke})
	}
	return c
}

const tokenHelp = `usage:
  minyi token create --user NAME [--ttl 720h|never] [--name "tablet 3"]
  minyi token list [--user NAME]
  minyi token revoke ID|PREFIX

A token authenticates API requests as its user, with that user's role:
  curl -H "Authorization: Bearer minyi_…" http://127.0.0.1:8080/api/v1/me
It is printed once, at creation; minyi keeps only its SHA-256. --ttl is
` + auth.TTLHelp + ` (default 720h);
0 is refused. A token is named in listings by its prefix (minyi_abcdefgh…),
which revoke accepts as well as its id.
`

func tokenCreate(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "token create", Usage: `token create --user NAME [--ttl 720h|never] [--name "tablet 3"]`, Summary: "Create an API token for a user and print it, once."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "token", env.Getenv)
	user := fs.String("user", "", "the username the token acts as (required)")
	ttlText := fs.String("ttl", "720h", "lifetime: "+auth.TTLHelp)
	name := fs.String("name", "", `what the token is for, e.g. "tablet 3" (at most 64 characters)`)
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	problems := map[string]string{}
	if *user == "" {
		problems["--user"] = "required: the username the token acts as"
	}
	ttl, err := auth.ParseTokenTTL(*ttlText)
	switch {
	case err != nil:
		problems["--ttl"] = apperr.PublicMessage(err)
	case strings.TrimSpace(*ttlText) == "":
		problems["--ttl"] = auth.TTLHelp
	}
	if len(problems) > 0 {
		return apperr.WithFields("token create: invalid flags", problems)
	}
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByUsername(ctx, *user)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.Invalid, "token create: no user %q (see 'minyi user list')", *user)
	}
	if err != nil {
		return err
	}
	token, t, err := auth.CreateToken(ctx, db, store.CLI, auth.TokenRequest{UserID: u.ID, Name: *name, TTL: ttl})
	if err != nil {
		if fields := apperr.FieldsOf(err); fields["name"] != "" {
			return apperr.WithFields("token create: invalid flags", map[string]string{"--name": fields["name"]})
		}
		if apperr.Is(err, apperr.Invalid) {
			return apperr.New(apperr.Invalid, "token create: %s", apperr.PublicMessage(err))
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "created API token %d for %s (role %s): %s, %s\n", t.ID, t.Username, u.Role, auth.ShowPrefix(t.Prefix), expiry(t.ExpiresAt))
	fmt.Fprintf(env.Stdout, "token: %s\n(shown only this once: minyi keeps only its hash)\n", token)
	return nil
}

// expiry says when a token expires.
func expiry(at *time.Time) string {
	if at == nil {
		return "never expires"
	}
	return "expires " + at.UTC().Format("2006-01-02 15:04 UTC")
}

func tokenList(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "token list", Usage: "token list [--user NAME]", Summary: "List API tokens (never their values), revoked and expired ones included."}
	var user *string
	flags := func(fs *flag.FlagSet) {
		user = fs.String("user", "", "only this user's tokens")
	}
	return runWithDB(ctx, env, c, args, "", flags, func(db *store.DB, _ string) error {
		var uid int64
		if *user != "" {
			u, err := db.UserByUsername(ctx, *user)
			if apperr.Is(err, apperr.NotFound) {
				return apperr.New(apperr.Invalid, "token list: no user %q (see 'minyi user list')", *user)
			}
			if err != nil {
				return err
			}
			uid = u.ID
		}
		ts, err := db.APITokens(ctx, uid)
		if err != nil {
			return err
		}
		now := time.Now()
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSER\tNAME\tTOKEN\tSTATE\tCREATED\tEXPIRES\tLAST USED")
		for _, t := range ts {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, auth.ShowPrefix(t.Prefix), t.State(now),
				shortTime(&t.CreatedAt, "-"), shortTime(t.ExpiresAt, "never"), shortTime(t.LastUsedAt, "-"))
		}
		return tw.Flush()
	})
}

func shortTime(at *time.Time, none string) string {
	if at == nil {
		return none
	}
	return at.UTC().Format("2006-01-02 15:04")
}

func tokenRevoke(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "token revoke", Usage: "token revoke ID|PREFIX", Summary: "Revoke an API token, by id or by the prefix shown in 'minyi token list'."}
	return runWithDB(ctx, env, c, args, "token", nil, func(db *store.DB, arg string) error {
		id, err := tokenID(ctx, db, arg)
		if err != nil {
			return err
		}
		t, err := db.RevokeAPIToken(ctx, store.CLI, id, 0)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.Invalid, "token revoke: no API token %d (see 'minyi token list')", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "revoked API token %d (%s) of %s\n", t.ID, auth.ShowPrefix(t.Prefix), t.Username)
		return nil
	})
}

// tokenID resolves a token named by its id or its listing prefix.
func tokenID(ctx context.Context, db *store.DB, arg string) (int64, error) {
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		if id < 1 {
			return 0, apperr.New(apperr.Invalid, "token revoke: %d is not a token id", id)
		}
		return id, nil
	}
	prefix := auth.TokenPrefix(arg)
	if len(prefix) != auth.PrefixLen {
		return 0, apperr.New(apperr.Invalid, "token revoke: %q is neither a token id nor a prefix like minyi_abcdefgh (see 'minyi token list')", arg)
	}
	ts, err := db.APITokensByPrefix(ctx, prefix)
	if err != nil {
		return 0, err
	}
	switch len(ts) {
	case 0:
		return 0, apperr.New(apperr.Invalid, "token revoke: no API token %s (see 'minyi token list')", auth.ShowPrefix(prefix))
	case 1:
		return ts[0].ID, nil
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = strconv.FormatInt(t.ID, 10)
	}
	return 0, apperr.New(apperr.Invalid, "token revoke: %s names %d tokens (ids %s): revoke by id", auth.ShowPrefix(prefix), len(ts), strings.Join(ids, ", "))
}
