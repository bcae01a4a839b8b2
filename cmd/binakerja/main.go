// Command binakerja runs BinaKerja: its web pages and API (serve, demo) and
// its administration commands. See "binakerja help".
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"binakerja/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
