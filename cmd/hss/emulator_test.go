package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openhss/hss-go/hss"
	"github.com/openhss/hss-go/hss/hsstest"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestEmulatorServesTheCLIAndStops(t *testing.T) {
	clearEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"emulator", "--addr", "127.0.0.1:0", "--export-duration=10ms"}, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()

	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("the emulator did not say where it listens:\n%s", stderr.String())
	}
	help := stderr.String()
	for _, want := range []string{
		"export " + hss.EnvAccessKey + "=" + hsstest.DefaultAccessKey,
		"export " + hss.EnvSecretKey + "=" + hsstest.DefaultSecretKey,
		"--endpoint " + url, "--iam-endpoint " + url, "--project-id " + hsstest.DefaultProjectID,
	} {
		if !strings.Contains(help, want) {
			t.Errorf("the emulator's help lacks %q:\n%s", want, help)
		}
	}

	// Follow the instructions it printed.
	t.Setenv(hss.EnvAccessKey, hsstest.DefaultAccessKey)
	t.Setenv(hss.EnvSecretKey, hsstest.DefaultSecretKey)
	t.Setenv(hss.EnvRegion, hsstest.DefaultRegion)
	r := runCLI(t, "", "export", "--endpoint", url, "--iam-endpoint", url, "--category", "host", "--event-id", "c1", "--last-days", "2")
	if r.code != 0 || !strings.Contains(r.stdout, `"task_id"`) {
		t.Errorf("export against the emulator: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	// The handle line it printed works as printed: a real alarm's request.
	m := regexp.MustCompile(`echo '([^']+)' \| hss handle \$flags --body -`).FindStringSubmatch(help)
	if m == nil {
		t.Fatalf("the emulator's help has no ready handle line:\n%s", help)
	}
	r = runCLI(t, m[1], "handle", "--endpoint", url, "--iam-endpoint", url, "--body", "-")
	if r.code != 0 || !strings.Contains(r.stdout, `"handled"`) {
		t.Errorf("the printed handle line: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("the emulator stopped with status %d:\n%s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the emulator did not stop within 5s of the signal")
	}
}

func TestEmulatorRefusesNonLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:8080", "example.com:8080", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:99999", "127.0.0.1:-1"} {
		r := runCLI(t, "", "emulator", "--addr", addr)
		if r.code != 2 || !strings.Contains(r.stderr, "--addr") {
			t.Errorf("--addr %s: exit %d, stderr %q; want 2 naming --addr", addr, r.code, r.stderr)
		}
	}
}

func TestEmulatorRefusesBadRegionsAndProjects(t *testing.T) {
	for _, tc := range []struct{ flag, value string }{
		{"--region", ""}, {"--region", "not a region"}, {"--region", "AP-southeast-1"}, {"--region", "ap-southeast-1;rm"},
		{"--project-id", ""}, {"--project-id", "a/b"}, {"--project-id", ".."}, {"--project-id", "p 1"}, {"--project-id", strings.Repeat("p", 65)},
	} {
		r := runCLI(t, "", "emulator", "--addr", "127.0.0.1:0", tc.flag, tc.value)
		if r.code != 2 || !strings.Contains(r.stderr, tc.flag) || strings.Contains(r.stderr, "listening") {
			t.Errorf("%s %q: exit %d, stderr %q; want 2 naming %s, before listening", tc.flag, tc.value, r.code, r.stderr, tc.flag)
		}
	}
}
