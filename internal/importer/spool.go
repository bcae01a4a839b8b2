package importer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Spooled is an uploaded file kept for the passes of an import (and, on the
// upload page, until the officer confirms the dry run). It is on disk only
// encrypted, with AES-256-GCM under a random key of its own that is held in
// memory alone: a file left by a process killed midway cannot be read by
// anyone, and SweepTemp removes it at the next start. The file lies in
// BinaKerja's temporary directory (tempRoot), named for the process like an
// XLSX read's directory.
//
// On disk the file is a run of chunks, each sealed on its own: full chunks of
// spoolChunk bytes and then one shorter, final chunk (perhaps empty). Each
// chunk's nonce is its number and whether it is the last, so that chunks
// reordered, dropped or cut off fail to open.
type Spooled struct {
	path string
	aead cipher.AEAD
	size int64

	mu      sync.Mutex
	removed bool
}

const spoolChunk = 64 << 10

// ErrTooLarge is a spooled file over its limit.
var ErrTooLarge = errors.New("importer: the file is over its limit")

// errSpoolDamaged is a spooled file that fails to open: changed on disk.
var errSpoolDamaged = errors.New("importer: the spooled file was changed on disk")

// Spool copies r, up to max bytes, into a new encrypted temporary file. A
// file over max is refused with ErrTooLarge, and nothing is left on disk on
// any error. The caller removes the file (Remove) on every path; should it
// be forgotten, it goes when the Spooled is collected, or at the next start.
func Spool(r io.Reader, max int64) (*Spooled, error) {
	root, err := tempRoot()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(root, fmt.Sprintf("%d-%s-upload-", os.Getpid(), processStart))
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	s := &Spooled{path: f.Name(), aead: aead}
	runtime.AddCleanup(s, func(path string) { os.Remove(path) }, s.path)
	size, err := s.write(f, io.LimitReader(r, max+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size > max {
		err = ErrTooLarge
	}
	if err != nil {
		return nil, errors.Join(err, s.Remove())
	}
	s.size = size
	return s, nil
}

func (s *Spooled) nonce(n uint64, last bool) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	binary.BigEndian.PutUint64(nonce[:8], n)
	if last {
		nonce[len(nonce)-1] = 1
	}
	return nonce
}

// write seals r into w chunk by chunk and returns the bytes read.
func (s *Spooled) write(w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, spoolChunk)
	out := make([]byte, 0, spoolChunk+s.aead.Overhead())
	var total int64
	for n := uint64(0); ; n++ {
		k, err := io.ReadFull(r, buf)
		total += int64(k)
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			return total, err
		}
		// #nosec G407 -- a counter nonce (chunk number, last-chunk flag) under a key made for this spool alone: never one nonce twice under a key
		if _, err := w.Write(s.aead.Seal(out[:0], s.nonce(n, last), buf[:k], nil)); err != nil {
			return total, err
		}
		if last {
			clear(buf)
			return total, nil
		}
	}
}

// Size is the number of bytes spooled.
func (s *Spooled) Size() int64 { return s.size }

// Open returns the file's content, decrypted as it is read. It may be called
// again for another pass, until Remove.
func (s *Spooled) Open() (io.ReadCloser, error) {
	s.mu.Lock()
	removed := s.removed
	s.mu.Unlock()
	if removed {
		return nil, fs.ErrNotExist
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, err
	}
	return &spoolReader{s: s, f: f, chunk: make([]byte, spoolChunk+s.aead.Overhead())}, nil
}

// Remove deletes the file. It may be called more than once.
func (s *Spooled) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.removed {
		return nil
	}
	s.removed = true
	if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

type spoolReader struct {
	s     *Spooled
	f     *os.File
	chunk []byte
	plain []byte // what is left of the chunk opened last
	n     uint64
	done  bool
	err   error
}

func (r *spoolReader) Read(p []byte) (int, error) {
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		k, err := io.ReadFull(r.f, r.chunk)
		last := errors.Is(err, io.ErrUnexpectedEOF)
		switch {
		case errors.Is(err, io.EOF): // no final chunk: cut off
			r.err = errSpoolDamaged
			continue
		case err != nil && !last:
			r.err = err
			continue
		}
		plain, err := r.s.aead.Open(r.chunk[:0], r.s.nonce(r.n, last), r.chunk[:k], nil)
		if err != nil {
			r.err = errSpoolDamaged
			continue
		}
		r.plain, r.done = plain, last
		r.n++
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

func (r *spoolReader) Close() error {
	clear(r.chunk)
	return r.f.Close()
}

// SweepLegacyUploads removes what earlier versions spooled uploads into in
// cleartext, right in the system's temporary directory and named
// binakerja-import-*, when a process was killed before it removed them. No
// version writes such files any more, so any found are leftovers; only the
// files of this user are touched.
func SweepLegacyUploads() error {
	dir := os.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "binakerja-import-") || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil || !ownedBySelf(fi) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
