// Package config reads BinaKerja's configuration: defaults, overridden by
// BINAKERJA_* environment variables, overridden by command-line flags.
package config

import (
	"errors"
	"flag"
	"net/url"
	"path/filepath"
	"strings"
)

// Config is the configuration of one run of the binary.
type Config struct {
	DB       string // sqlite:PATH or postgres://…
	Addr     string // listen address
	KeyFile  string // secret keys; empty for the default beside the SQLite file
	BaseURL  string // public URL; empty for http://ADDR
	LogLevel string // debug, info, warn, error
	SMTPURL  string // where e-mail goes (see package mail); empty: notices stay in the application
	Demo     bool   // the demo command's run: its users share the public demo password
}

// Load returns the defaults overridden by the environment.
func Load(getenv func(string) string) Config {
	c := Config{DB: "sqlite:binakerja.db", Addr: "127.0.0.1:8080", LogLevel: "info"}
	set := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	set(&c.DB, "BINAKERJA_DB")
	set(&c.Addr, "BINAKERJA_ADDR")
	set(&c.KeyFile, "BINAKERJA_KEY_FILE")
	set(&c.BaseURL, "BINAKERJA_BASE_URL")
	set(&c.LogLevel, "BINAKERJA_LOG_LEVEL")
	set(&c.SMTPURL, "BINAKERJA_SMTP_URL")
	return c
}

// DBFlag registers --db on fs.
func (c *Config) DBFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "database: sqlite:PATH or postgres://… (env BINAKERJA_DB)")
}

// ServeFlags registers --db, --addr and --base-url on fs.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.DBFlag(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env BINAKERJA_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL for links and QR codes (env BINAKERJA_BASE_URL)")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "SMTP server for e-mail: smtp://, smtps:// or smtp+insecure://HOST?from=ADDRESS (env BINAKERJA_SMTP_URL)")
}

// SQLitePath returns the file of a SQLite database, or "" for PostgreSQL.
func (c Config) SQLitePath() string {
	if strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://") {
		return ""
	}
	return strings.TrimPrefix(c.DB, "sqlite:")
}

// KeyPath returns the key file: as configured, else binakerja.keys beside the
// SQLite file, else in the working directory.
func (c Config) KeyPath() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	if p := c.SQLitePath(); p != "" {
		return filepath.Join(filepath.Dir(p), "binakerja.keys")
	}
	return "binakerja.keys"
}

// PublicURL returns the base URL, defaulting to http://ADDR.
func (c Config) PublicURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	return "http://" + c.Addr
}

// Secure reports whether the public URL is HTTPS.
func (c Config) Secure() bool { return strings.HasPrefix(c.PublicURL(), "https://") }

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.DB == "" {
		return errors.New("no database configured (--db or BINAKERJA_DB)")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("BINAKERJA_BASE_URL must be an http or https URL")
		}
	}
	return nil
}
