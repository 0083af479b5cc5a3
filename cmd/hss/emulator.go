package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// emulatorCmd holds the flags of hss emulator.
type emulatorCmd struct {
	addr           string
	region         string
	projectID      string
	exportDuration time.Duration
	debug          bool
	anyColumns     bool
}

func (c *emulatorCmd) flags() *flags {
	f := newFlags("emulator")
	c.addr = "127.0.0.1:8080"
	c.region = hsstest.DefaultRegion
	c.exportDuration = hsstest.DefaultExportDuration
	f.add(plainString{&c.addr}, "addr", "HOST:PORT", "loopback address to listen on (port 0: any free port)")
	f.add(plainString{&c.region}, "region", "REGION", "region the fake serves")
	f.add(plainString{&c.projectID}, "project-id", "ID", "project id of the fake (default "+hsstest.DefaultProjectID+")")
	f.add(durationValue{&c.exportDuration}, "export-duration", "DURATION", "how long an export task runs")
	f.add(boolValue{&c.debug}, "debug", "", "log each request the fake answers on standard error")
	f.add(boolValue{&c.anyColumns}, "any-columns", "", "export column fields the fake does not know, as empty columns (refused otherwise, as a misspelling)")
	return f
}

// options are the fake's options for the flags; the requests it logs
// (--debug) go to stderr.
func (c *emulatorCmd) options(stderr io.Writer) hsstest.Options {
	// It may run for days: it keeps the last requests and tasks only.
	opts := hsstest.Options{Region: c.region, ProjectID: c.projectID, ExportDuration: c.exportDuration,
		MaxRequests: emulatorMaxRequests, MaxTasks: emulatorMaxTasks, AnyColumns: c.anyColumns}
	if c.debug {
		opts.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	}
	return opts
}

// check refuses a region or project id given empty (the fake would fall
// back to its default silently) or one that is not a word of letters,
// digits, - (and _ in a project id): the fake prints them in shell lines to
// copy, and serves the project id as a segment of its paths.
func (c *emulatorCmd) check(f *flags) error {
	for _, v := range []struct {
		name, value string
		word        func(rune) bool
		want        string
	}{
		{"region", c.region, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' }, "lower-case letters, digits and -, such as ap-southeast-1"},
		{"project-id", c.projectID, func(r rune) bool {
			return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		}, "letters, digits, - and _"},
	} {
		switch {
		case !f.set(v.name):
		case v.value == "":
			return usagef("invalid --%s: empty", v.name)
		case len(v.value) > 64 || strings.IndexFunc(v.value, func(r rune) bool { return !v.word(r) }) >= 0:
			return usagef("invalid --%s: %q is not made of %s (at most 64)", v.name, v.value, v.want)
		}
	}
	return nil
}

// checkLoopback refuses an address that is not a loopback one: the fake
// accepts published fake credentials, and must not be reachable from
// another machine.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("invalid --addr: %q is not HOST:PORT", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return usagef("invalid --addr: the port %q is not a number from 0 to 65535", port)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usagef("invalid --addr: %q is not a loopback address (use 127.0.0.1, ::1 or localhost)", host)
	}
	return nil
}

func runEmulator(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var c emulatorCmd
	f := c.flags()
	fail := func(err error) int { return report(stderr, "emulator", err, commonField, 0) }
	if err := f.parse(args); err == errHelp {
		printCommandUsage(stdout, "emulator")
		return 0
	} else if err != nil {
		return fail(err)
	}
	if err := checkLoopback(c.addr); err != nil {
		return fail(err)
	}
	if err := c.check(f); err != nil {
		return fail(err)
	}
	opts := c.options(stderr)
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fail(fmt.Errorf("listening on %s: %w", c.addr, err))
	}
	fake := hsstest.NewUnstarted(opts)
	fake.URL = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: fake.Handler(), ReadHeaderTimeout: 10 * time.Second}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	printEmulatorHelp(stderr, fake)

	select {
	case <-ctx.Done():
	case err := <-served:
		fake.Close()
		return fail(fmt.Errorf("serving: %w", err))
	}
	fmt.Fprintln(stderr, "hss emulator: stopping")
	// Close first: it ends the answers held back by faults, which Shutdown
	// would otherwise wait for.
	fake.Close()
	// A second for the requests in flight to finish; then the connections
	// still open (one that connected and sent nothing, a request cut
	// midway, which Shutdown would wait for) are closed: stopping is what
	// was asked.
	shutdown, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail(fmt.Errorf("serving: %w", err))
	}
	return 0
}

// What hss emulator keeps: enough to inspect a session, bounded however
// long it runs.
const (
	emulatorMaxRequests = 10000
	emulatorMaxTasks    = 1000
)

// emulatorOperateExample is a ready operate request for an unhandled alarm
// the emulator holds in the default enterprise project (which a call
// without --enterprise-project-id sees): mark it handled.
func emulatorOperateExample(fake *hsstest.Server) (string, bool) {
	for _, e := range fake.Events() {
		if e.HandleStatus == hss.Unhandled && e.EnterpriseProjectID == "0" {
			req := hss.MarkAsHandledRequest("emulator", hss.EventRef{ClassID: e.ClassID, ID: e.ID, Type: e.Type, OccurTime: e.OccurTime})
			b, err := json.Marshal(req)
			return string(b), err == nil
		}
	}
	return "", false
}

// printEmulatorHelp tells how to point the CLI at the fake. The access key
// pair is the fake's published one, good only against the fake.
func printEmulatorHelp(w io.Writer, fake *hsstest.Server) {
	var b strings.Builder
	fmt.Fprintf(&b, "hss emulator: fake HSS and IAM listening on %s (region %s, project %s)\n", fake.URL, fake.Region(), fake.ProjectID())
	fmt.Fprintf(&b, "It accepts only its own fake credentials. In another shell:\n\n")
	fmt.Fprintf(&b, "  export %s=%s\n", hss.EnvAccessKey, hsstest.DefaultAccessKey)
	fmt.Fprintf(&b, "  export %s=%s\n", hss.EnvSecretKey, hsstest.DefaultSecretKey)
	fmt.Fprintf(&b, "  export %s=%s\n", hss.EnvRegion, fake.Region())
	fmt.Fprintf(&b, "  flags=\"--endpoint %s --iam-endpoint %s --project-id %s\"\n\n", fake.URL, fake.URL, fake.ProjectID())
	fmt.Fprintf(&b, "  hss export $flags --category host --event-id demo --last-days 7\n")
	fmt.Fprintf(&b, "  hss export $flags --category host --event-id demo --severity-list High,Critical --output events.csv\n")
	if body, ok := emulatorOperateExample(fake); ok {
		fmt.Fprintf(&b, "  echo '%s' | hss handle $flags --body -\n\n", body)
	} else {
		fmt.Fprintf(&b, "  hss handle $flags --body operate.json\n\n")
	}
	fmt.Fprintf(&b, "(Leave out --project-id to see it found through the fake's IAM.)\n")
	fmt.Fprintf(&b, "Stop with Ctrl-C.\n")
	io.WriteString(w, b.String())
}
