package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/internal/jsonkeys"
)

// defaultTimeout bounds a whole call, retries included, when --timeout is
// not given.
const defaultTimeout = 60 * time.Second

// serviceFlags are the flags of the commands that call HSS.
type serviceFlags struct {
	region      string
	endpoint    string
	iamEndpoint string
	projectID   string
	timeout     time.Duration
	body        string
	maxAttempts int
	debug       bool
}

// addServiceFlags defines the flags every service command takes. body
// describes what --body holds.
func addServiceFlags(f *flags, o *serviceFlags, body string) {
	o.timeout = defaultTimeout
	f.section("Connection (credentials come from the environment only: see hss help)")
	f.addOverridable(plainString{&o.region}, "region", "REGION", "region id, such as ap-southeast-1 (default $"+hss.EnvRegion+"; see hss regions)")
	f.addOverridable(plainString{&o.endpoint}, "endpoint", "URL", "HSS endpoint instead of the region's (https, or http on a loopback address)")
	f.addOverridable(plainString{&o.iamEndpoint}, "iam-endpoint", "URL", "IAM endpoint instead of the region's (default $"+hss.EnvIAMEndpoint+")")
	f.addOverridable(plainString{&o.projectID}, "project-id", "ID", "project id (default $"+hss.EnvProjectID+", else found through IAM)")
	f.addOverridable(durationValue{&o.timeout}, "timeout", "DURATION", "bound on the whole call, retries and waits included")
	f.add(plainString{&o.body}, "body", "FILE", body+"; - for standard input")
	f.addOverridable(plainInt{&o.maxAttempts}, "max-attempts", "N", fmt.Sprintf("tries of one request, on throttling, a failed connection, or a 500, 502, 503 or 504 to a GET (default %d)", hss.DefaultMaxAttempts))
	f.addOverridable(boolValue{&o.debug}, "debug", "", "log each request (method, URL, status, request id) on standard error; never a secret")
}

// check refuses flag values the library does not check itself.
func (o *serviceFlags) check(f *flags) error {
	if f.set("max-attempts") && o.maxAttempts < 1 {
		return usagef("invalid --max-attempts: must be at least 1")
	}
	// An empty value given on purpose would otherwise fall back to the
	// environment or to the region's endpoints, silently.
	for _, name := range []string{"region", "endpoint", "iam-endpoint", "project-id"} {
		if f.set(name) && f.fs.Lookup(name).Value.String() == "" {
			return usagef("invalid --%s: empty", name)
		}
	}
	return nil
}

// newClient builds a client from the environment and the flags. It sends
// nothing.
func (o *serviceFlags) newClient(stderr io.Writer) (*hss.Client, error) {
	cfg, err := hss.ConfigFromEnv()
	if err != nil {
		// No credentials, or half of an access key pair: configuration, not
		// a failure of the service. A variable is named as $NAME, as
		// everywhere else.
		var invalid *hss.ValidationError
		if errors.As(err, &invalid) {
			return nil, usagef("invalid %s: %s", commonField(invalid.Field), invalid.Reason)
		}
		return nil, &usageError{msg: strings.TrimPrefix(err.Error(), "hss: ")}
	}
	if o.region != "" {
		cfg.Region = o.region
	}
	if cfg.Region == "" {
		return nil, usagef("--region is required (or set %s)", hss.EnvRegion)
	}
	if o.projectID != "" {
		cfg.ProjectID = o.projectID
	}
	if o.iamEndpoint != "" {
		cfg.IAMEndpoint = o.iamEndpoint
	}
	cfg.Endpoint = o.endpoint
	cfg.MaxAttempts = o.maxAttempts
	cfg.UserAgent = "hss-cli/" + hss.Version
	if o.debug {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		// Config's String hides the credentials and prints only their kind.
		cfg.Logger.Debug("hss config", "config", cfg.String(), "timeout", o.timeout)
	}
	c, err := hss.New(cfg)
	if err != nil {
		var unknown *hss.UnknownRegionError
		if errors.As(err, &unknown) {
			return nil, usagef("invalid --region: %q is not a region known to serve HSS (see hss regions); give --endpoint to reach it anyway", unknown.Region)
		}
		return nil, err
	}
	return c, nil
}

// maxBody bounds a --body, from a file or standard input alike.
const maxBody = 8 << 20

// readBody reads the file --body names, or standard input for "-". A read
// of standard input ends with ctx (Ctrl-C), which the read itself does not
// watch: it goes on in its goroutine until the process exits.
func readBody(ctx context.Context, name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("invalid --body: %v", err)
		}
		defer f.Close()
		r = f
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
		done <- result{b, err}
	}()
	var b []byte
	select {
	case res := <-done:
		if res.err != nil {
			return nil, usagef("invalid --body: %v", res.err)
		}
		b = res.b
	case <-ctx.Done():
		return nil, fmt.Errorf("reading --body: %w", ctx.Err())
	}
	if len(b) > maxBody {
		return nil, usagef("invalid --body: larger than %d MiB", maxBody>>20)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, usagef("invalid --body: empty")
	}
	return b, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields, a
// key given twice in one object, a key not in lower case (encoding/json
// would match "OPERATE_TYPE" to operate_type, and let the last of two
// operate_type keys win), and anything after the value. Errors name the
// field, or the line and column.
func decodeStrict(b []byte, v any) error {
	if err := checkKeys(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return usagef("invalid --body: more than one JSON value")
		}
		return nil
	}
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		line, col := position(b, syntax.Offset)
		return usagef("invalid --body: not valid JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return usagef("invalid --body: the JSON ends too early")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return usagef("invalid --body: a JSON %s where %s is needed", typ.Value, jsonKind(typ.Type.Kind().String()))
		}
		return usagef("invalid --body: field %s: a JSON %s where %s is needed", typ.Field, typ.Value, jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return usagef("invalid --body: unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return usagef("invalid --body: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// checkKeys walks the JSON in b and refuses a key not made of a-z, 0-9 and
// _ (every key of this API's bodies is: operate_type, event_class_id, ...),
// and a key repeated in one object. encoding/json matches keys ignoring
// case, by Unicode folding: "OPERATE_TYPE", or "operate_event_liſt" with a
// long s (U+017F), would otherwise be read as a second operate_type or
// operate_event_list, the last one winning. Syntax errors, and anything
// after the value, are left to the decoder (decodeStrict), which places
// them.
func checkKeys(b []byte) error {
	reason, _ := jsonkeys.Walk(b, func(key string, dup bool) string {
		switch {
		case strings.ToLower(key) != key:
			return fmt.Sprintf("key %q: keys are in lower case (%s)", key, strings.ToLower(key))
		case !plainKey(key):
			return fmt.Sprintf("key %q: keys are made of a-z, 0-9 and _", key)
		case dup:
			return fmt.Sprintf("key %q given twice in one object", key)
		}
		return ""
	})
	if reason != "" {
		return usagef("invalid --body: %s", reason)
	}
	return nil
}

// plainKey says whether key is made of a-z, 0-9 and _ only.
func plainKey(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// jsonKind names a Go kind as the JSON a user should write.
func jsonKind(kind string) string {
	switch {
	case kind == "string":
		return "a string"
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "bool":
		return "true or false"
	case kind == "slice", kind == "array":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	}
	return kind
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, offset int64) (line, col int) {
	if offset > int64(len(b)) {
		offset = int64(len(b))
	}
	before := b[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, max(col, 1)
}

// report writes err on stderr as "hss CMD: ..." and returns the exit
// status: 2 for bad usage or input (nothing was sent), 1 for a failure of
// the service or the network (or the --timeout), exitInterrupted for an
// interrupt, whatever answer the call was waiting out. field names, in the command's terms, the
// value a *hss.ValidationError refuses.
func report(stderr io.Writer, cmd string, err error, field func(string) string, timeout time.Duration) int {
	var (
		usage   *usageError
		invalid *hss.ValidationError
		api     *hss.APIError
		failed  *hss.TaskFailedError
	)
	switch {
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "hss %s: %s\n", cmd, usage.msg)
		if usage.hint {
			fmt.Fprintf(stderr, "Run 'hss help %s' for usage.\n", cmd)
		}
		return 2
	case errors.As(err, &invalid):
		fmt.Fprintf(stderr, "hss %s: invalid %s: %s\n", cmd, field(invalid.Field), invalid.Reason)
		return 2
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(stderr, "hss %s: %s\n  the --timeout of %s ran out\n", cmd, strings.TrimPrefix(err.Error(), "hss: "), timeout)
		return 1
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "hss %s: interrupted: %s\n", cmd, strings.TrimPrefix(err.Error(), "hss: "))
		return exitInterrupted
	case errors.As(err, &api):
		fmt.Fprintf(stderr, "hss %s: %s failed: %d %s\n", cmd, api.Operation, api.StatusCode, http.StatusText(api.StatusCode))
		line := func(label, value string) {
			if value != "" {
				fmt.Fprintf(stderr, "  %-12s %s\n", label+":", value)
			}
		}
		line("error code", api.Code)
		if api.Message != "" {
			line("message", api.Message)
		} else if len(api.Body) > 0 {
			// Not an error document: a proxy's page, perhaps. A glimpse is enough.
			body := api.Body[:min(len(api.Body), 200)]
			line("body", fmt.Sprintf("%q", body))
		}
		line("request id", api.RequestID)
		line("retry after", api.RetryAfter)
		line("hint", apiHint(api))
		return 1
	case errors.As(err, &failed):
		fmt.Fprintf(stderr, "hss %s: export task %s ended with status %s\n", cmd, failed.TaskID, failed.Status)
		return 1
	}
	fmt.Fprintf(stderr, "hss %s: %s\n", cmd, strings.TrimPrefix(err.Error(), "hss: "))
	return 1
}

// apiHint suggests what to check for the common refusals.
func apiHint(e *hss.APIError) string {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return "check the credentials in the environment (HUAWEICLOUD_SDK_*) and the clock"
	case http.StatusForbidden:
		return "check --project-id and the permissions of the credentials"
	case http.StatusTooManyRequests:
		return "throttled: try again later, or raise --max-attempts and --timeout"
	}
	return ""
}

// commonField names a configuration field the library refused as the flag
// or the environment variable that set it; other fields pass through.
func commonField(field string) string {
	switch field {
	case "region":
		return "--region"
	case "endpoint":
		return "--endpoint"
	case "iam_endpoint":
		return "--iam-endpoint (or $" + hss.EnvIAMEndpoint + ")"
	case "project_id":
		return "--project-id (or $" + hss.EnvProjectID + ")"
	case "credentials.ID":
		return "$" + hss.EnvAccessKey
	case "credentials.Secret":
		return "$" + hss.EnvSecretKey
	case "credentials.Domain":
		return "$" + hss.EnvDomainName
	case "credentials.User":
		return "$" + hss.EnvUserName
	case "credentials.Password":
		return "$" + hss.EnvPassword
	case "credentials":
		return "$" + hss.EnvAuthToken
	case "credentials.SecurityToken":
		return "$" + hss.EnvSecurityToken
	case "max_attempts":
		return "--max-attempts"
	}
	if strings.HasPrefix(field, "HUAWEICLOUD_SDK_") {
		return "$" + field // a variable hss.ConfigFromEnv refused
	}
	return field
}

// flagField returns a field namer for a command: a configuration field
// becomes its flag or variable (commonField), a query parameter the command
// has a flag for becomes that flag ("severity_list[1]" becomes
// "--severity-list"), and fallback names the others.
func flagField(f *flags, fallback func(string) string) func(string) string {
	return func(field string) string {
		if c := commonField(field); c != field {
			return c
		}
		base, _, _ := strings.Cut(field, "[")
		base, _, _ = strings.Cut(base, ".")
		if name := strings.ReplaceAll(base, "_", "-"); name != "body" && f.fs.Lookup(name) != nil {
			return "--" + name
		}
		return fallback(field)
	}
}
