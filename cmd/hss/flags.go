package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// usageError is bad usage or bad input: the command exits with status 2
// and nothing was sent. hint adds a pointer to the command's help, for
// mistakes in the command line itself.
type usageError struct {
	msg  string
	hint bool
}

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelp is returned by parse for --help: the command prints its usage on
// standard output and exits 0.
var errHelp = errors.New("help requested")

// flags is a flag.FlagSet that also remembers, for the usage text, the
// order and the section of each flag and the name of its argument.
type flags struct {
	fs       *flag.FlagSet
	sections []section
	args     map[string]string // flag name -> argument placeholder ("" for a switch)
}

// section is a titled group of flags in a usage text.
type section struct {
	title string
	names []string
}

func newFlags(cmd string) *flags {
	fs := flag.NewFlagSet("hss "+cmd, flag.ContinueOnError)
	// Errors are reported by the caller, with the flag spelled --name.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{fs: fs, args: map[string]string{}}
}

// section starts a new group of flags in the usage text.
func (f *flags) section(title string) {
	f.sections = append(f.sections, section{title: title})
}

// add defines a flag of the request or its output. arg names its value in
// the usage text ("" for a switch such as --wait). A flag that takes one
// value refuses a second, different one (see onceValue); a list flag
// (repeatable) takes them all.
func (f *flags) add(v flag.Value, name, arg, usage string) {
	if _, ok := v.(repeatable); !ok {
		v = &onceValue{v: v, f: f, name: name}
	}
	f.define(v, name, arg, usage)
}

// addOverridable defines a flag of the connection (--region, --timeout,
// ...), whose last value wins, as with the flag package: a script keeps
// its usual flags in a variable and overrides one after it, as in
// "hss export $flags --project-id other".
func (f *flags) addOverridable(v flag.Value, name, arg, usage string) {
	f.define(v, name, arg, usage)
}

func (f *flags) define(v flag.Value, name, arg, usage string) {
	f.fs.Var(v, name, usage)
	if len(f.sections) == 0 {
		f.section("Flags")
	}
	s := &f.sections[len(f.sections)-1]
	s.names = append(s.names, name)
	f.args[name] = arg
}

// repeatable is a flag value that takes a value each time it is given:
// the list flags and --column.
type repeatable interface{ repeatable() }

func (listValue[T]) repeatable() {}
func (columnsValue) repeatable() {}

// onceValue is a flag that takes one value. Given again with the same
// value, nothing changes; with a different one, it is refused: the flag
// package would keep the last silently, and "--severity High --severity
// Critical", meant as a list, would export the Critical alarms alone.
type onceValue struct {
	v     flag.Value
	f     *flags
	name  string
	given bool
	first string
}

func (o *onceValue) Set(s string) error {
	if !o.given {
		o.given, o.first = true, s
		return o.v.Set(s)
	}
	if s == o.first {
		return nil
	}
	msg := fmt.Sprintf("given before as %q; the flag takes one value", o.first)
	if l := o.f.listFor(o.name); l != "" {
		msg += " (--" + l + " takes several)"
	}
	return errors.New(msg)
}

func (o *onceValue) String() string {
	if o == nil || o.v == nil {
		return ""
	}
	return o.v.String()
}

// IsBoolFlag keeps a switch (--wait, --auto-block) a switch.
func (o *onceValue) IsBoolFlag() bool {
	b, ok := o.v.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// listFor returns the list flag that takes several values of the flag name (--severity-list for --severity, --event-types for
// --event-type), or "".
func (f *flags) listFor(name string) string {
	for _, l := range []string{name + "-list", name + "s"} {
		if fl := f.fs.Lookup(l); fl != nil {
			if _, ok := fl.Value.(repeatable); ok {
				return l
			}
		}
	}
	return ""
}

// set reports whether the flag was given on the command line.
func (f *flags) set(name string) bool {
	found := false
	f.fs.Visit(func(fl *flag.Flag) {
		if fl.Name == name {
			found = true
		}
	})
	return found
}

// flagName matches a flag as the flag package writes it in errors: "-name".
var flagName = regexp.MustCompile(`(flag|for|defined:|argument:) -([A-Za-z])`)

// parse parses args. Flags come after the command's name, as --name=value
// or --name value; no positional argument is accepted.
func (f *flags) parse(args []string) error {
	err := f.fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return errHelp
	case err != nil:
		return &usageError{msg: flagName.ReplaceAllString(err.Error(), "$1 --$2"), hint: true}
	case f.fs.NArg() > 0:
		if prev := f.boolBefore(args, f.fs.Arg(0)); prev != "" {
			return &usageError{msg: fmt.Sprintf("unexpected argument %q: --%s is a boolean flag, given as --%s or --%s=%s", f.fs.Arg(0), prev, prev, prev, f.fs.Arg(0)), hint: true}
		}
		return &usageError{msg: fmt.Sprintf("unexpected argument %q: flags take the form --name=value or --name value", f.fs.Arg(0)), hint: true}
	}
	return nil
}

// boolBefore returns the name of the boolean flag given just before the
// first unexpected argument, as in "--auto-block false", or "".
func (f *flags) boolBefore(args []string, unexpected string) string {
	i := len(args) - f.fs.NArg() // where parsing stopped
	if i < 1 || i > len(args) || args[i] != unexpected {
		return ""
	}
	prev := args[i-1]
	if !strings.HasPrefix(prev, "-") || strings.Contains(prev, "=") {
		return ""
	}
	name := strings.TrimLeft(prev, "-")
	if fl := f.fs.Lookup(name); fl != nil {
		if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			return name
		}
	}
	return ""
}

// printUsage writes the flags, section by section.
func (f *flags) printUsage(w io.Writer) {
	for _, s := range f.sections {
		fmt.Fprintf(w, "\n%s:\n", strings.Join(wrap(s.title, usageWidth), "\n"))
		for _, name := range s.names {
			fl := f.fs.Lookup(name)
			left := "  --" + name
			if a := f.args[name]; a != "" {
				left += " " + a
			}
			usage := fl.Usage
			if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
				usage += " (default " + fl.DefValue + ")"
			}
			lines := wrap(usage, usageWidth-usageIndent)
			if len(left) < usageIndent {
				fmt.Fprintf(w, "%-*s%s\n", usageIndent, left, lines[0])
				lines = lines[1:]
			} else {
				fmt.Fprintln(w, left)
			}
			for _, l := range lines {
				fmt.Fprintf(w, "%*s%s\n", usageIndent, "", l)
			}
		}
	}
}

// The layout of a flag's line in a usage text.
const (
	usageIndent = 28 // where the description starts
	usageWidth  = 100
)

// wrap splits text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

// The flag values below write straight into the fields of the request
// structures: an optional field stays nil unless its flag is given.

// stringValue is a required string field (category, event_id).
type stringValue[T ~string] struct{ p *T }

func (v stringValue[T]) Set(s string) error { *v.p = T(s); return nil }
func (v stringValue[T]) String() string {
	if v.p == nil {
		return ""
	}
	return string(*v.p)
}

// optString is an optional string field: nil unless given. An empty value
// is kept, so that the library refuses it by name.
type optString[T ~string] struct{ p **T }

func (v optString[T]) Set(s string) error { t := T(s); *v.p = &t; return nil }
func (v optString[T]) String() string {
	if v.p == nil || *v.p == nil {
		return ""
	}
	return string(**v.p)
}

// parseInt parses a base-10 integer of the given size strictly: no base
// prefix, no underscore, no fraction, no space.
func parseInt(s string, bits int) (int64, error) {
	n, err := strconv.ParseInt(s, 10, bits)
	var ne *strconv.NumError
	if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
		return 0, fmt.Errorf("out of range for a %d-bit integer", bits)
	}
	if err != nil {
		return 0, errors.New("not an integer")
	}
	return n, nil
}

// optInt is an optional integer field; nonNegative refuses negative
// values.
type optInt[T int32 | int64] struct {
	p           **T
	nonNegative bool
}

func (v optInt[T]) Set(s string) error {
	var zero T
	bits := 64
	if _, ok := any(zero).(int32); ok {
		bits = 32
	}
	n, err := parseInt(s, bits)
	if err != nil {
		return err
	}
	if v.nonNegative && n < 0 {
		return errors.New("must not be negative")
	}
	t := T(n)
	*v.p = &t
	return nil
}

func (v optInt[T]) String() string {
	if v.p == nil || *v.p == nil {
		return ""
	}
	return strconv.FormatInt(int64(**v.p), 10)
}

// timeValue is an optional timestamp in milliseconds since 1970, given as
// an integer or as an RFC 3339 time ("2024-11-20T08:00:00Z").
type timeValue struct{ p **int64 }

func (v timeValue) Set(s string) error {
	var ms int64
	if n, err := parseInt(s, 64); err == nil {
		if n > 0 && n < 1e11 {
			// Before March 1973 in milliseconds, but now in seconds.
			return errors.New("looks like seconds since 1970: give milliseconds (seconds × 1000) or an RFC 3339 time such as 2024-11-20T08:00:00Z")
		}
		ms = n
	} else if t, terr := time.Parse(time.RFC3339, s); terr == nil {
		ms = t.UnixMilli()
	} else {
		return errors.New("neither milliseconds since 1970 nor an RFC 3339 time such as 2024-11-20T08:00:00Z")
	}
	*v.p = &ms
	return nil
}

func (v timeValue) String() string {
	if v.p == nil || *v.p == nil {
		return ""
	}
	return strconv.FormatInt(**v.p, 10)
}

// optBool is an optional boolean field: --name means true, --name=false
// false, and absent sends nothing.
type optBool struct{ p **bool }

func (v optBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("not true or false")
	}
	*v.p = &b
	return nil
}

func (v optBool) String() string {
	if v.p == nil || *v.p == nil {
		return ""
	}
	return strconv.FormatBool(**v.p)
}

func (v optBool) IsBoolFlag() bool { return true }

// listValue is a list field: the flag is given once per value, and a value
// may hold several, separated by commas.
type listValue[T any] struct {
	p     **[]T
	parse func(string) (T, error)
}

func (v listValue[T]) Set(s string) error {
	if *v.p == nil {
		*v.p = &[]T{}
	}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return errors.New("empty item in the list")
		}
		x, err := v.parse(item)
		if err != nil {
			return fmt.Errorf("item %q: %w", item, err)
		}
		**v.p = append(**v.p, x)
	}
	return nil
}

func (v listValue[T]) String() string {
	if v.p == nil || *v.p == nil {
		return ""
	}
	parts := make([]string, len(**v.p))
	for i, x := range **v.p {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}

func stringList[T ~string](p **[]T) listValue[T] {
	return listValue[T]{p: p, parse: func(s string) (T, error) { return T(s), nil }}
}

func int32List(p **[]int32) listValue[int32] {
	return listValue[int32]{p: p, parse: func(s string) (int32, error) {
		n, err := parseInt(s, 32)
		return int32(n), err
	}}
}

// plainString, plainInt, durationValue and boolValue are ordinary flags.
type plainString struct{ p *string }

func (v plainString) Set(s string) error { *v.p = s; return nil }
func (v plainString) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

type plainInt struct{ p *int }

func (v plainInt) Set(s string) error {
	n, err := parseInt(s, 32)
	if err != nil {
		return err
	}
	*v.p = int(n)
	return nil
}

func (v plainInt) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}

// durationValue is a Go duration ("90s", "2m30s"), which must be positive.
type durationValue struct{ p *time.Duration }

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration such as 30s, 2m or 1m30s")
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	*v.p = d
	return nil
}

func (v durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return shortDuration(*v.p)
}

type boolValue struct{ p *bool }

func (v boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("not true or false")
	}
	*v.p = b
	return nil
}

func (v boolValue) String() string {
	if v.p == nil {
		return "false"
	}
	return strconv.FormatBool(*v.p)
}

func (v boolValue) IsBoolFlag() bool { return true }

// columnsValue collects --column field=Title pairs.
type columnsValue struct{ p *[][]string }

func (v columnsValue) Set(s string) error {
	field, title, ok := strings.Cut(s, "=")
	if !ok {
		return errors.New("must be field=Title, such as event_name=Alarm name")
	}
	*v.p = append(*v.p, []string{strings.TrimSpace(field), strings.TrimSpace(title)})
	return nil
}

func (v columnsValue) String() string {
	if v.p == nil {
		return ""
	}
	parts := make([]string, len(*v.p))
	for i, c := range *v.p {
		parts[i] = strings.Join(c, "=")
	}
	return strings.Join(parts, ",")
}

// shortDuration writes d as a user would type it: "1m" rather than "1m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
