package config

import (
	"flag"
	"testing"
)

func TestFlagsOverrideEnvironmentOverrideDefaults(t *testing.T) {
	env := map[string]string{"BINAKERJA_DB": "sqlite:/data/env.db", "BINAKERJA_ADDR": "0.0.0.0:9000"}
	c := Load(func(k string) string { return env[k] })
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.ServeFlags(fs)
	if err := fs.Parse([]string{"--addr", "127.0.0.1:7000"}); err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/data/env.db" || c.Addr != "127.0.0.1:7000" {
		t.Fatalf("got db %q addr %q", c.DB, c.Addr)
	}
	if c.KeyPath() != "/data/binakerja.keys" || c.PublicURL() != "http://127.0.0.1:7000" || c.Secure() {
		t.Fatalf("derived: key %q url %q", c.KeyPath(), c.PublicURL())
	}
	d := Load(func(string) string { return "" })
	if d.DB != "sqlite:binakerja.db" || d.Addr != "127.0.0.1:8080" || d.KeyPath() != "binakerja.keys" {
		t.Fatalf("defaults: %+v", d)
	}
	d.BaseURL = "ftp://x"
	if d.Validate() == nil {
		t.Fatal("a non-HTTP base URL must be refused")
	}
}
