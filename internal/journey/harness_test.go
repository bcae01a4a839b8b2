package journey

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"binakerja/internal/pgtest"
	"binakerja/internal/servertest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// chromium finds the browser: BINAKERJA_CHROMIUM, else Debian's chromium on
// PATH. A missing browser fails the test: journeys are never skipped.
func chromium(t *testing.T) string {
	if p := os.Getenv("BINAKERJA_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: install Debian's chromium package (apt-get install chromium) or set BINAKERJA_CHROMIUM")
	return ""
}

// browser is a headless Chromium tab on a server with the demo world.
type browser struct {
	t   *testing.T
	ctx context.Context
	env *servertest.Env
}

// newBrowser starts the server and a fresh browser with an empty profile. The
// flags keep Chromium off the network: this machine reaches only itself.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	env := servertest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "journey.db"))
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, env: env}
}

// run performs actions, failing the test with what was being done.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action that returns a value.
func get[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text returns the visible text of the first element matching the CSS
// selector sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(get(b, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// location returns the current URL's path and query.
func (b *browser) location() string {
	b.t.Helper()
	return strings.TrimPrefix(get(b, "read the location", chromedp.Location()), b.env.URL)
}

// click clicks the element matching the CSS selector sel.
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }

// waitFor waits until the element matching the CSS selector sel is visible.
func waitFor(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// typeInto types text into the element matching the CSS selector sel.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), text)
}

// signIn signs in through the login page and, when the second step asks
// for it, types the code of the demo TOTP secret that an authenticator app
// would show (servertest's Code).
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.run("sign in as "+email,
		chromedp.Navigate(b.env.URL+"/login"),
		waitFor("#f-email"),
		typeInto("#f-email", email),
		typeInto("#f-password", password),
		click(`main form button[type="submit"]`),
		waitFor(`nav[aria-label], #f-code`),
	)
	if strings.HasPrefix(b.location(), "/login/code") {
		b.run("the code for "+email,
			typeInto("#f-code", b.env.Code(b.t, email)),
			click(`main form button[type="submit"]`),
			waitFor(`nav[aria-label]`),
		)
	}
}

// screenshot saves the page as NAME.png in BINAKERJA_SCREENSHOTS, when set.
func (b *browser) screenshot(name string) {
	dir := os.Getenv("BINAKERJA_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := get(b, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// clearFlash removes the page's flash message, so that waiting for the next
// one waits for the next page.
func clearFlash() chromedp.Action[chromedp.Void] {
	remove := chromedp.Evaluate[bool](`(() => { document.querySelectorAll('.flash').forEach(e => e.remove()); return true })()`)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := remove(ctx, t)
		return chromedp.Void{}, err
	}
}
