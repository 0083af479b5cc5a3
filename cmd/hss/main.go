// Command hss is a command-line client for Huawei Cloud HSS (Host Security
// Service) v5: it exports intrusion events and handles alarm events, through
// the package github.com/openhss/hss-go/hss. Run "hss help" for the
// commands, and "hss demo" to see the whole job against an in-process fake.
//
// Credentials come from the environment only (HUAWEICLOUD_SDK_AK and
// HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_AUTH_TOKEN, or
// HUAWEICLOUD_SDK_DOMAIN_NAME, _USERNAME and _PASSWORD), never from a flag.
//
// Exit status: 0 done; 1 the service or the network failed; 2 bad usage or
// bad input, and nothing was sent; 130 interrupted (Ctrl-C or SIGTERM).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/openhss/hss-go/hss"
)

// exitInterrupted is the exit status of a command that a signal (Ctrl-C,
// SIGTERM) interrupted, as a shell reports a process that Ctrl-C ended:
// 128 + SIGINT. It is neither a failure of the service (1) nor bad input
// (2): a handle call interrupted in flight may have been carried out.
const exitInterrupted = 130

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first Ctrl-C cancels the call; once it has, the signals are
		// the default ones again, so a second Ctrl-C ends the process
		// whatever it is stuck on.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is a subcommand of hss.
type command struct {
	name    string
	summary string
	// usage is the synopsis and the description of its help text.
	usage string
	// flags returns the command's flags, for its help text; nil for a
	// command without flags.
	flags func() *flags
	run   func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order of the help text.
var commands []command

func init() {
	// Assigned here, not in the declaration, because help refers to
	// commands.
	commands = []command{
		{
			name:    "export",
			summary: "submit an export of intrusion events, and with --output download its file",
			usage: `Usage: hss export --category host|container --event-id CODE [filters] [flags]
       hss export --task-id ID --output FILE [--enterprise-project-id ID] [flags]

Submits an export of the intrusion events that match the filters and prints
the service's answer as JSON: {"record_total_num":7,"task_id":"..."}.
With --output FILE it also waits for the export task and downloads the file
(a CSV table of the chosen columns), written whole or not at all (what
cannot be replaced, such as /dev/null, a named pipe or >(gzip > f.gz), is
written as the file streams); with --output - (or /dev/stdout) the file
goes to standard output, and no answer after it. --output waits up to 10m unless
--timeout says otherwise.

With --task-id it finishes an export submitted before, which an earlier run
stopped waiting for or downloading (its error names the task): it waits for
the task and downloads its file, without exporting again.

Example:
  hss export --region ap-southeast-1 --category host --event-id case-1 \
    --last-days 7 --severity-list High,Critical --handle-status unhandled \
    --column event_name="Alarm name" --column host_name=Server \
    --wait --output events.csv`,
			flags: func() *flags { var c exportCmd; return c.flags() },
			run:   runExport,
		},
		{
			name:    "handle",
			summary: "handle alarm events: mark handled, ignore, whitelist, isolate and kill",
			usage: `Usage: hss handle --body FILE [flags]

Handles alarm events as the operate request in --body says (the JSON body of
POST /v5/{project_id}/event/operate; unknown fields are refused) and prints
what was handled as JSON:
  {"operate_type":"mark_as_handled","handled":[{"event_id":"...","event_class_id":"rootkit_0001","event_type":1010}]}

Operate types: mark_as_handled, unhandle, ignore, do_not_ignore (no details);
add_to_alarm_whitelist, remove_from_alarm_whitelist (details: keyword, hash);
add_to_login_whitelist, remove_from_login_whitelist (details: login_ip,
private_ip, login_user_name); isolate_and_kill, do_not_isolate_or_kill
(details: agent_id, file_hash, file_path, process_pid).

Example:
  echo '{"operate_type":"mark_as_handled","handler":"secops",
    "operate_event_list":[{"event_class_id":"rootkit_0001","event_id":"2a71e1e2-...",
      "event_type":1010,"occur_time":1732233600000,"operate_detail_list":[]}]}' |
  hss handle --region ap-southeast-1 --body -`,
			flags: func() *flags { var c handleCmd; return c.flags() },
			run:   runHandle,
		},
		{
			name:    "regions",
			summary: "list the regions that serve HSS, with their endpoints",
			usage: `Usage: hss regions

Lists the regions known to serve HSS: id, name, HSS endpoint and IAM endpoint.
An endpoint set by $HUAWEICLOUD_SDK_REGION_HSS_{REGION} is shown instead of
the default one.`,
			run: runRegions,
		},
		{
			name:    "emulator",
			summary: "run the fake HSS service on a loopback address, to try the CLI without an account",
			usage: `Usage: hss emulator [--addr 127.0.0.1:PORT] [flags]

Runs the in-memory fake of HSS and IAM (package hss/hsstest) until
interrupted, and prints on standard error how to point the CLI at it. It
holds a seeded set of alarms and accepts fake credentials only. It listens on
loopback addresses only.`,
			flags: func() *flags { var c emulatorCmd; return c.flags() },
			run:   runEmulator,
		},
		{
			name:    "demo",
			summary: "run the whole job end to end against an in-process fake (no account, no network)",
			usage: `Usage: hss demo [--dir DIR]

Starts the fake HSS in-process and, through the real client over loopback
HTTP with AK/SK signing, finds the project through IAM, lists alarms,
submits an export, handles two alarms, shows a refused input, and exports a
CSV file into DIR (default: a new temporary directory).`,
			flags: func() *flags { var c demoCmd; return c.flags() },
			run:   runDemo,
		},
		{
			name:    "version",
			summary: "print the version",
			usage:   "Usage: hss version",
			run:     runVersion,
		},
		{
			name:    "help",
			summary: "print this help, or a command's: hss help export",
			usage:   "Usage: hss help [COMMAND]",
			run:     runHelp,
		},
	}
}

// run is hss with arguments args (without the program name); it returns
// the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		printUsage(stdout)
		return 0
	case "-version", "--version":
		name = "version"
	}
	cmd := lookup(name)
	if cmd == nil && strings.HasPrefix(name, "-") {
		fmt.Fprintf(stderr, "hss: %s before the command: flags come after it, as in hss export %s ...\nRun 'hss help' for usage.\n", name, name)
		return 2
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "hss: unknown command %q\nRun 'hss help' for usage.\n", name)
		return 2
	}
	return cmd.run(ctx, args[1:], stdin, stdout, stderr)
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

const intro = `hss is a command-line client for Huawei Cloud HSS (Host Security Service) v5:
it exports intrusion events and handles alarm events.

Usage: hss COMMAND [flags]      (flags after the command: --name=value or --name value)

Commands:
`

const outro = `
Credentials come from the environment only, never from a flag:
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   an access key pair (AK/SK request signing),
    and HUAWEICLOUD_SDK_SECURITY_TOKEN     for temporary credentials
  HUAWEICLOUD_SDK_AUTH_TOKEN               or a ready IAM token
  HUAWEICLOUD_SDK_DOMAIN_NAME, HUAWEICLOUD_SDK_USERNAME, HUAWEICLOUD_SDK_PASSWORD
                                           or an IAM user
Also read: HUAWEICLOUD_SDK_REGION (--region), HUAWEICLOUD_SDK_PROJECT_ID
(--project-id), HUAWEICLOUD_SDK_IAM_ENDPOINT (--iam-endpoint) and
HUAWEICLOUD_SDK_REGION_HSS_{REGION} (the HSS endpoint of a region).

Exit status: 0 done; 1 the service or the network failed (the status, error
code, message and request id are on standard error); 2 bad usage or bad input
(the flag or field is named, and nothing was sent); 130 interrupted (Ctrl-C or
SIGTERM; a handle call cut in flight may have been carried out).

Try it without an account: hss demo, or hss emulator in one terminal and the
commands it prints in another.
`

// printUsage writes the help of hss.
func printUsage(w io.Writer) {
	fmt.Fprint(w, intro)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, outro)
}

// printCommandUsage writes the help of one command.
func printCommandUsage(w io.Writer, name string) {
	c := lookup(name)
	fmt.Fprintln(w, c.usage)
	if c.flags != nil {
		c.flags().printUsage(w)
	}
}

func runHelp(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		printUsage(stdout)
		return 0
	case len(args) > 1:
		fmt.Fprintf(stderr, "hss help: one command at most\n")
		return 2
	case lookup(args[0]) == nil:
		fmt.Fprintf(stderr, "hss help: unknown command %q\nRun 'hss help' for the commands.\n", args[0])
		return 2
	}
	printCommandUsage(stdout, args[0])
	return 0
}

// noArgs handles the arguments of a command that takes none: --help, or
// a refusal.
func noArgs(name string, args []string, stdout, stderr io.Writer) (code int, done bool) {
	if len(args) == 0 {
		return 0, false
	}
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		printCommandUsage(stdout, name)
		return 0, true
	}
	fmt.Fprintf(stderr, "hss %s: takes no arguments, got %q\nRun 'hss help %s' for usage.\n", name, args[0], name)
	return 2, true
}

func runVersion(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if code, done := noArgs("version", args, stdout, stderr); done {
		return code
	}
	if _, err := fmt.Fprintf(stdout, "hss %s (hss-go %s, %s, %s/%s)\n", hss.Version, hss.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH); err != nil {
		fmt.Fprintf(stderr, "hss version: %v\n", err)
		return 1
	}
	return 0
}

func runRegions(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if code, done := noArgs("regions", args, stdout, stderr); done {
		return code
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tHSS ENDPOINT\tIAM ENDPOINT")
	for _, r := range hss.Regions() {
		endpoint, err := hss.Endpoint(r.ID)
		if err != nil {
			// Only a malformed HUAWEICLOUD_SDK_REGION_HSS_* variable gets here.
			endpoint = "(" + strings.TrimPrefix(err.Error(), "hss: ") + ")"
		}
		name := r.Name
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, name, endpoint, hss.IAMEndpoint(r.ID))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "hss regions: %v\n", err)
		return 1
	}
	return 0
}
