package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/store"
)

func userCommand() *Command {
	c := &Command{
		Name:    "user",
		Usage:   "user add|list|passwd [flags]",
		Summary: "Manage accounts: add a user with a role, list users, reset a password.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "user", userHelp, args, action{"add", userAdd}, action{"list", userList}, action{"passwd", userPasswd})
	}
	return c
}

const userHelp = `usage:
  minyi user add --username NAME --role admin|supervisor|interviewer|analyst [--street STREET] [--name "显示名"] [--password-stdin]
  minyi user list
  minyi user passwd NAME [--password-stdin]

Without --password-stdin a random password is generated and printed once.
A supervisor belongs to a street (--street, by name or code), which must
exist in the imported frame.
`

// newPassword returns a password read from standard input, or a generated
// one, with its hash.
func newPassword(env *Env, fromStdin bool) (pw, hash string, err error) {
	pw = auth.GeneratePassword()
	if fromStdin {
		if pw, err = readPassword(env.stdin()); err != nil {
			return "", "", err
		}
	}
	hash, err = auth.HashPassword(pw)
	return pw, hash, err
}

// printPassword shows a generated password, once.
func printPassword(env *Env, pw string) {
	fmt.Fprintf(env.Stdout, "password: %s\n(shown only this once)\n", pw)
}

// readPassword reads one line from stdin (for --password-stdin).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", apperr.Wrap(apperr.Invalid, err, "reading the password from standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func userAdd(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "user add", Usage: "user add --username NAME --role ROLE [--street STREET] [--name NAME] [--password-stdin]", Summary: "Add an account."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "user", env.Getenv)
	username := fs.String("username", "", "login name (letters, digits, . _ -)")
	role := fs.String("role", "", "admin, supervisor, interviewer or analyst")
	street := fs.String("street", "", "street (name or code) of a supervisor or interviewer")
	name := fs.String("name", "", "display name, e.g. 王芳")
	stdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	problems := map[string]string{}
	if !validUsername(*username) {
		problems["--username"] = "required: 2–64 letters, digits, '.', '_' or '-'"
	}
	if !auth.ValidRole(*role) {
		problems["--role"] = "one of admin, supervisor, interviewer, analyst"
	}
	if *role == store.RoleSupervisor && *street == "" {
		problems["--street"] = "a supervisor needs the street they run"
	}
	if len(problems) > 0 {
		return apperr.WithFields("user add: invalid flags", problems)
	}
	pw, hash, err := newPassword(env, *stdin)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	var streetID *int64
	if *street != "" {
		s, err := db.StreetByName(ctx, *street)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.New(apperr.Invalid, "user add: street %q is not in the database; import the frame first ('minyi frame import')", *street)
			}
			return err
		}
		streetID = &s.ID
	}
	if *name == "" {
		*name = *username
	}
	id, err := db.CreateUser(ctx, store.NewUser{Username: *username, DisplayName: *name, Role: *role, StreetID: streetID, PasswordHash: hash})
	if err != nil {
		return err
	}
	_ = db.Audit(ctx, 0, "user.create", "user", *username, map[string]any{"role": *role, "street": *street, "by": "cli"}, "")
	fmt.Fprintf(env.Stdout, "added user %s (id %d, role %s)\n", *username, id, *role)
	if !*stdin {
		printPassword(env, pw)
	}
	return nil
}

func userList(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "user list", Usage: "user list", Summary: "List accounts."}
	return runWithDB(ctx, env, c, args, "", nil, func(db *store.DB, _ string) error {
		us, err := db.Users(ctx)
		if err != nil {
			return err
		}
		tw := newTable(env.Stdout)
		fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tSTREET\tDISABLED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", u.Username, u.DisplayName, u.Role, u.StreetName, u.Disabled)
		}
		return tw.Flush()
	})
}

func userPasswd(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "user passwd", Usage: "user passwd NAME [--password-stdin]", Summary: "Set a new password (generated unless --password-stdin) and end the user's sessions."}
	var stdin *bool
	flags := func(fs *flag.FlagSet) {
		stdin = fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	}
	return runWithDB(ctx, env, c, args, "user", flags, func(db *store.DB, username string) error {
		pw, hash, err := newPassword(env, *stdin)
		if err != nil {
			return err
		}
		u, err := db.UserByUsername(ctx, username)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return apperr.New(apperr.Invalid, "user passwd: no user %q", username)
			}
			return err
		}
		if err := db.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		_ = db.Audit(ctx, 0, "user.passwd", "user", username, map[string]string{"by": "cli"}, "")
		fmt.Fprintf(env.Stdout, "new password for %s set; their sessions ended\n", username)
		if !*stdin {
			printPassword(env, pw)
		}
		return nil
	})
}

func validUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
