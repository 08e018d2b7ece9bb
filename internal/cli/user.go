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
		Usage:   "user add|list|passwd|disable|enable|set-role [flags]",
		Summary: "Manage accounts: add a user with a role, list users, reset a password, disable or enable a user, change a role or street.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "user", userHelp, args, action{"add", userAdd}, action{"list", userList}, action{"passwd", userPasswd},
			action{"disable", userDisable}, action{"enable", userEnable},
			action{"set-role", userSetRole})
	}
	return c
}

const userHelp = `usage:
  minyi user add --username NAME --role admin|supervisor|interviewer|analyst [--street STREET] [--name "显示名"] [--password-stdin]
  minyi user list
  minyi user passwd NAME [--password-stdin]
  minyi user disable NAME
  minyi user enable NAME
  minyi user set-role NAME --role admin|supervisor|interviewer|analyst [--street STREET]

Without --password-stdin a random password is generated and printed once.
Supervisors and interviewers belong to a street (--street, by name or code),
which must exist in the imported frame. Disabling a user, changing their
password, role or street ends their sessions. The last active admin cannot
be disabled or given another role. Every change is audited.
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
	if (*role == store.RoleSupervisor || *role == store.RoleInterviewer) && *street == "" {
		problems["--street"] = "supervisors and interviewers belong to a street: name it (as in the frame)"
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
	sid, err := streetID(ctx, db, "user add", *street)
	if err != nil {
		return err
	}
	if *name == "" {
		*name = *username
	}
	id, err := db.CreateUser(ctx, store.NewUser{Username: *username, DisplayName: *name, Role: *role, StreetID: sid, PasswordHash: hash}, store.CLI)
	if err != nil {
		return err
	}
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
		u, err := userNamed(ctx, db, "user passwd", username)
		if err != nil {
			return err
		}
		if err := db.SetPassword(ctx, u.ID, hash, store.CLI); err != nil {
			return err
		}
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

// streetID resolves a street given by name or code; "" is no street.
func streetID(ctx context.Context, db *store.DB, cmd, street string) (*int64, error) {
	if street == "" {
		return nil, nil
	}
	s, err := db.StreetByName(ctx, street)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.Invalid, "%s: street %q is not in the database; import the frame first ('minyi frame import')", cmd, street)
	}
	if err != nil {
		return nil, err
	}
	return &s.ID, nil
}

// userNamed finds a user for a command, or an Invalid error naming them.
func userNamed(ctx context.Context, db *store.DB, cmd, username string) (store.User, error) {
	u, err := db.UserByUsername(ctx, username)
	if apperr.Is(err, apperr.NotFound) {
		return u, apperr.New(apperr.Invalid, "%s: no user %q (see 'minyi user list')", cmd, username)
	}
	return u, err
}

func userDisable(ctx context.Context, env *Env, args []string) error {
	return userSetDisabled(ctx, env, args, true)
}

func userEnable(ctx context.Context, env *Env, args []string) error {
	return userSetDisabled(ctx, env, args, false)
}

func userSetDisabled(ctx context.Context, env *Env, args []string, disable bool) error {
	name, verb := "user enable", "enabled"
	if disable {
		name, verb = "user disable", "disabled; their sessions ended"
	}
	c := &Command{Name: name, Usage: name + " NAME", Summary: "Disable (ending their sessions) or enable an account."}
	return runWithDB(ctx, env, c, args, "user", nil, func(db *store.DB, username string) error {
		u, err := userNamed(ctx, db, name, username)
		if err != nil {
			return err
		}
		if _, err := db.SetUserDisabled(ctx, u.ID, disable, store.CLI); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "user %s %s\n", username, verb)
		return nil
	})
}

func userSetRole(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "user set-role", Usage: "user set-role NAME --role ROLE [--street STREET]",
		Summary: "Give a user another role or street; ends their sessions."}
	var role, street *string
	flags := func(fs *flag.FlagSet) {
		role = fs.String("role", "", "admin, supervisor, interviewer or analyst")
		street = fs.String("street", "", "street (name or code) of a supervisor or interviewer")
	}
	return runWithDB(ctx, env, c, args, "user", flags, func(db *store.DB, username string) error {
		problems := map[string]string{}
		if !auth.ValidRole(*role) {
			problems["--role"] = "one of admin, supervisor, interviewer, analyst"
		}
		// Without --street a supervisor or interviewer keeps their street.
		if *street != "" && (*role == store.RoleAdmin || *role == store.RoleAnalyst) {
			problems["--street"] = "only supervisors and interviewers belong to a street"
		}
		if len(problems) > 0 {
			return apperr.WithFields("user set-role: invalid flags", problems)
		}
		u, err := userNamed(ctx, db, "user set-role", username)
		if err != nil {
			return err
		}
		sid, err := streetID(ctx, db, "user set-role", *street)
		if err != nil {
			return err
		}
		ch := store.UserChange{Role: role, StreetID: sid}
		nu, err := db.UpdateUser(ctx, u.ID, ch, store.CLI)
		if err != nil {
			return err
		}
		where := ""
		if nu.StreetName != "" {
			where = " of " + nu.StreetName
		}
		fmt.Fprintf(env.Stdout, "user %s is now %s%s; their sessions ended\n", username, nu.Role, where)
		return nil
	})
}
