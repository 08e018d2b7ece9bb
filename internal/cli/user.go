package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/accounts"
	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/store"
)

func userCommand() *Command {
	c := &Command{
		Name:    "user",
		Usage:   "user add|import|list|passwd|disable|enable|set-role [flags]",
		Summary: "Manage accounts: add a user with a role, list users, reset a password, disable or enable a user, change a role or street.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "user", userHelp, args, action{"add", userAdd}, action{"import", userImport}, action{"list", userList}, action{"passwd", userPasswd},
			action{"disable", userDisable}, action{"enable", userEnable},
			action{"set-role", userSetRole})
	}
	return c
}

const userHelp = `usage:
  minyi user add --username NAME --role admin|supervisor|interviewer|analyst [--street STREET] [--name "显示名"] [--password-stdin]
  minyi user import FILE [--base-url URL]
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

'user import' makes the supervisors and interviewers of a list (CSV in UTF-8
or GBK, or XLSX; columns 姓名, 账号, 角色 (访员 or 督导), 街道, optional 手机,
or name, username, role, street, phone), all or none: every problem is named
with its line. Each account gets a one-time password, to be changed at the
first login, and a one-time login link good for 24 hours, printed once;
the office's users page prints the same as a sheet of slips with QR codes.
`

// readStdinPassword reads the password for --password-stdin; without it
// the password is "" and accounts generates one.
func readStdinPassword(env *Env, fromStdin bool) (string, error) {
	if !fromStdin {
		return "", nil
	}
	return readPassword(env.stdin())
}

// printPassword shows a generated password, once.
func printPassword(env *Env, pw string) {
	if pw != "" {
		fmt.Fprintf(env.Stdout, "password: %s\n(shown only this once)\n", pw)
	}
}

// readPassword reads one line from stdin (for --password-stdin).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", apperr.Wrap(apperr.Invalid, err, "reading the password from standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// userFlags are the command-line flags of the accounts package's fields.
var userFlags = map[string]string{
	"username": "--username", "display_name": "--name", "role": "--role", "street": "--street", "password": "--password-stdin",
}

func userAdd(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "user add", Usage: "user add --username NAME --role ROLE [--street STREET] [--name NAME] [--password-stdin]", Summary: "Add an account."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "user", env.Getenv)
	var n accounts.New
	fs.StringVar(&n.Username, "username", "", "login name (letters, digits, . _ -)")
	fs.StringVar(&n.Role, "role", "", "admin, supervisor, interviewer or analyst")
	fs.StringVar(&n.Street, "street", "", "street (name or code) of a supervisor or interviewer")
	fs.StringVar(&n.DisplayName, "name", "", "display name, e.g. 王芳")
	stdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if err := n.Check(); err != nil { // before asking for a password or opening the database
		return flagErrors(err, "user add: "+apperr.PublicMessage(err), userFlags)
	}
	var err error
	if n.Password, err = readStdinPassword(env, *stdin); err != nil {
		return err
	}
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	u, pw, err := accounts.Create(ctx, db, n, store.CLI)
	if err != nil {
		return flagErrors(err, "user add: "+apperr.PublicMessage(err), userFlags)
	}
	fmt.Fprintf(env.Stdout, "added user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
	printPassword(env, pw)
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

// userNamed finds a user for a command, or an Invalid error naming them.
func userNamed(ctx context.Context, db *store.DB, cmd, username string) (store.User, error) {
	u, err := db.UserByUsername(ctx, username)
	if apperr.Is(err, apperr.NotFound) {
		return u, apperr.New(apperr.Invalid, "%s: no user %q (see 'minyi user list')", cmd, username)
	}
	return u, err
}

func userPasswd(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "user passwd", Usage: "user passwd NAME [--password-stdin]", Summary: "Set a new password (generated unless --password-stdin) and end the user's sessions."}
	var stdin *bool
	flags := func(fs *flag.FlagSet) {
		stdin = fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	}
	return runWithDB(ctx, env, c, args, "user", flags, func(db *store.DB, username string) error {
		pw, err := readStdinPassword(env, *stdin)
		if err != nil {
			return err
		}
		u, err := userNamed(ctx, db, "user passwd", username)
		if err != nil {
			return err
		}
		generated, err := accounts.ResetPassword(ctx, db, u.ID, pw, store.CLI)
		if err != nil {
			return flagErrors(err, "user passwd: "+apperr.PublicMessage(err), userFlags)
		}
		fmt.Fprintf(env.Stdout, "new password for %s set; their sessions ended\n", username)
		printPassword(env, generated)
		return nil
	})
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
		if _, err := accounts.SetDisabled(ctx, db, u.ID, disable, store.CLI); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "user %s %s\n", username, verb)
		return nil
	})
}

func userSetRole(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "user set-role", Usage: "user set-role NAME --role ROLE [--street STREET]",
		Summary: "Give a user another role or street (a supervisor or interviewer keeps theirs unless --street is given); ends their sessions."}
	var role, street *string
	flags := func(fs *flag.FlagSet) {
		role = fs.String("role", "", "admin, supervisor, interviewer or analyst")
		street = fs.String("street", "", "street (name or code) of a supervisor or interviewer")
	}
	return runWithDB(ctx, env, c, args, "user", flags, func(db *store.DB, username string) error {
		ch := accounts.Change{Role: role}
		if *street != "" {
			ch.Street = street
		}
		u, err := userNamed(ctx, db, "user set-role", username)
		if err != nil {
			return err
		}
		nu, err := accounts.Update(ctx, db, u.ID, ch, store.CLI)
		if err != nil {
			return flagErrors(err, "user set-role: "+apperr.PublicMessage(err), userFlags)
		}
		where := ""
		if nu.StreetName != "" {
			where = " of " + nu.StreetName
		}
		fmt.Fprintf(env.Stdout, "user %s is now %s%s; their sessions ended\n", username, nu.Role, where)
		return nil
	})
}

func userImport(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "user import", Usage: "user import FILE [--base-url URL]",
		Summary: "Create the supervisors and interviewers of a CSV or XLSX list, each with a one-time password and login link, printed once."}
	var base *string
	flags := func(fs *flag.FlagSet) {
		base = fs.String("base-url", env.Getenv("MINYI_BASE_URL"), "the public base URL the login links start with (default $MINYI_BASE_URL)")
	}
	return runWithDB(ctx, env, c, args, "file", flags, func(db *store.DB, file string) error {
		f, err := os.Open(file)
		if err != nil {
			return apperr.New(apperr.Invalid, "user import: %v", err)
		}
		defer f.Close()
		slips, err := accounts.Import(ctx, db, f, time.Now(), store.CLI)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "created %d accounts; one-time passwords and login links (valid until %s, each once) shown only this once:\n",
			len(slips), env.clock(slips[0].Expires))
		tw := newTable(env.Stdout)
		fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tSTREET\tPASSWORD\tLOGIN LINK")
		for _, s := range slips {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s/login/code/%s\n", s.Username, s.DisplayName, s.Role, s.StreetName, s.Password,
				strings.TrimRight(*base, "/"), s.LoginCode)
		}
		return tw.Flush()
	})
}
