package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"binakerja"
	"binakerja/internal/importer"
	"binakerja/internal/store"
)

// ImportSource opens the file being imported. The import reads it as a
// stream, so that memory stays small whatever the file's size; it opens it
// a second time only when a duplicate turns up after the first of its rows
// was written.
type ImportSource func() (io.ReadCloser, error)

// ImportOptions steer an import.
type ImportOptions struct {
	FileName   string
	Sheet      string // XLSX sheet; the first when empty
	Size       int64  // the file's size in bytes, when known: for Progress
	DryRun     bool   // report what would happen, write nothing
	SkipErrors bool   // write the valid rows even when others have errors
	// Progress is told now and then how many valid rows were written and
	// which share of the file was read (-1 when that is not known).
	Progress func(written int, read float64)
}

// MaxReportedProblems bounds the problems an import report lists; the counts
// stay exact.
const MaxReportedProblems = 1000

// ImportReport says what an import did (or, in a dry run or when refused,
// what it would have done).
type ImportReport struct {
	Rows           int
	Created        int
	Updated        int
	Unchanged      int
	Readmitted     int
	Held           int // re-admissions whose name or birth date disagrees: held for review, not written
	Rejected       int
	Problems       []importer.Problem // sorted by line; at most MaxReportedProblems
	MoreProblems   int                // problems left out of the list
	UnknownColumns []string           // the first importer.MaxUnknownColumns
	// MoreUnknownColumns counts the unknown columns left out of the list.
	MoreUnknownColumns int
	DryRun             bool
	Written            bool
	ImportID           int64
	matched            []int64 // people not in custody here whom the file's NIKs named, for the audit trail
}

func (r *ImportReport) problem(p importer.Problem) {
	if len(r.Problems) < MaxReportedProblems {
		r.Problems = append(r.Problems, p)
	} else {
		r.MoreProblems++
	}
}

// Errors that roll an import's transaction back: it will not be kept (a dry
// run, or a refused row under abort), the file is no inmate table, or a
// duplicate turned up after its first row was written (the import then runs
// again).
var (
	errImportRefused = errors.New("import not kept")
	errFileRefused   = errors.New("file cannot be read as an inmate table")
	errLateDuplicate = errors.New("duplicate of a row already written")
)

// ImportInmates imports an inmate file into the facility's register
// (contract §4). A row whose NIK, or else registration number, matches a
// person in custody there updates that person; a NIK of someone released
// earlier opens a new custody episode (a re-admission); other rows add
// people. Re-importing a file changes nothing. Two rows with the same NIK or
// registration number are both rejected. The whole import is one
// transaction: unless SkipErrors, any problem means nothing is written, and
// the error is Invalid with the report telling why.
//
// The file is read once: reading, checking and sealing run on one core, a
// batch ahead of the writing on the other. Should a duplicate turn up after
// the first of its rows was written, the transaction is rolled back and the
// import runs again, leaving both rows out from the start.
func (a *App) ImportInmates(ctx context.Context, ac Actor, facility string, open ImportSource, opts ImportOptions) (*ImportReport, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionInmateWrite, "")
	if err != nil {
		return nil, err
	}
	if binakerja.HasControl(opts.FileName) || binakerja.HasStrayControl(opts.FileName) { // it is stored
		return nil, binakerja.FieldInvalid("filename", "text.control")
	}
	fac, err := a.db.Organization(ctx, facility)
	if binakerja.ErrorKind(err) == binakerja.NotFound || (err == nil && !a.canSee(ac, binakerja.ActionInmateWrite, fac.Path)) {
		return nil, binakerja.FieldInvalid("organization", "org.unknown", binakerja.NormalizeOrgCode(facility))
	}
	if err != nil {
		return nil, err
	}
	if fac.Kind != binakerja.OrgFacility {
		return nil, binakerja.FieldInvalid("organization", "import.not_facility", fac.Code)
	}
	if a.nik == nil {
		return nil, binakerja.Errorf(binakerja.Internal, "error.internal")
	}
	rep, scan, err := a.importOnce(ctx, ac, role, fac, open, opts, nil)
	if errors.Is(err, errLateDuplicate) {
		rep, scan, err = a.importOnce(ctx, ac, role, fac, open, opts, scan.bad)
	}
	if errors.Is(err, errImportRefused) || errors.Is(err, errFileRefused) {
		// What was not kept is audited all the same, after the rollback and
		// in a transaction of its own: a dry run or a refused import answers
		// about the NIKs it was given as much as a kept one.
		if aerr := a.db.Transact(ctx, func(tx *store.Tx) error {
			return a.recordImport(ctx, tx, ac, role, fac, opts, rep, scan, 0)
		}); aerr != nil {
			return nil, aerr
		}
	}
	if opts.Progress != nil && scan != nil && scan.header != nil {
		opts.Progress(rep.Created+rep.Updated+rep.Unchanged+rep.Readmitted, 1)
	}
	switch {
	case errors.Is(err, errImportRefused):
		if rep.Rejected > 0 && !opts.SkipErrors {
			return rep, binakerja.Errorf(binakerja.Invalid, "import.refused")
		}
		return rep, nil // a dry run
	case errors.Is(err, errFileRefused):
		return rep, binakerja.Errorf(binakerja.Invalid, "import.refused")
	case err != nil:
		return rep, err
	}
	rep.Written = true
	return rep, nil
}

// importOnce reads the file and writes its valid rows in one transaction,
// leaving out the lines in skip (known to be duplicates) from the start.
func (a *App) importOnce(ctx context.Context, ac Actor, role string, fac *binakerja.Organization,
	open ImportSource, opts ImportOptions, skip map[int]bool) (*ImportReport, *importScan, error) {
	rep := &ImportReport{DryRun: opts.DryRun}
	scan := &importScan{bad: map[int]bool{}, skip: skip}
	today := a.today()
	err := a.db.TransactBulk(ctx, func(tx *store.Tx) error {
		rec := &store.ImportRecord{FacilityID: fac.ID, FileName: opts.FileName, Actor: ac.label()}
		if !opts.DryRun {
			if err := tx.CreateImport(ctx, rec); err != nil {
				return err
			}
		}
		w := &importWriter{a: a, tx: tx, ctx: ctx, ac: ac, fac: fac, rep: rep, importID: rec.ID}
		if err := w.start(); err != nil {
			return err
		}
		batches := make(chan importBatchOf, 2)
		stop := make(chan struct{})
		var readErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			defer close(batches)
			readErr = a.readImport(ctx, open, opts, today, scan, batches, stop)
		})
		defer func() { close(stop); wg.Wait() }()
		written := 0
		for b := range batches {
			w.h = b.header
			if err := w.write(b.rows); err != nil {
				return err
			}
			written += len(b.rows)
			if opts.Progress != nil {
				opts.Progress(written, b.read)
			}
		}
		if readErr != nil {
			return readErr
		}
		scan.report(rep)
		rep.matched = w.matched
		switch {
		case scan.header == nil:
			return errFileRefused
		case scan.late:
			return errLateDuplicate
		}
		keep := !opts.DryRun && (rep.Rejected == 0 || opts.SkipErrors)
		if !keep {
			return errImportRefused
		}
		rec.FileSHA256 = scan.sha256
		rec.Rows, rec.Created, rec.Updated, rec.Unchanged, rec.Readmitted, rec.Rejected, rec.Held =
			rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Readmitted, rep.Rejected, rep.Held
		if err := tx.FinishImport(ctx, rec); err != nil {
			return err
		}
		rep.ImportID = rec.ID
		return a.recordImport(ctx, tx, ac, role, fac, opts, rep, scan, rec.ID)
	})
	return rep, scan, err
}

// maxAuditedMatches bounds the person ids an import's audit event lists; the
// count stays exact.
const maxAuditedMatches = 10000

// recordImport appends the audit event of an import, kept (importID set) or
// not (a dry run, or refused): the file, its hash, the counts, and the ids of
// the people, not in custody at the facility, whom its NIKs named.
func (a *App) recordImport(ctx context.Context, tx *store.Tx, ac Actor, role string, fac *binakerja.Organization,
	opts ImportOptions, rep *ImportReport, scan *importScan, importID int64) error {
	matched := slices.Clone(rep.matched)
	slices.Sort(matched)
	total := len(matched)
	if total > maxAuditedMatches {
		matched = matched[:maxAuditedMatches]
	}
	if matched == nil {
		matched = []int64{}
	}
	id := ""
	if importID != 0 {
		id = itoa(importID)
	}
	sha := ""
	if scan != nil {
		sha = scan.sha256
	}
	return a.record(ctx, tx, ac, role, "inmate.import", "import", id, fac.Code, map[string]any{
		"file": opts.FileName, "sha256": sha, "dry_run": opts.DryRun, "written": importID != 0,
		"rows": rep.Rows, "created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged,
		"readmitted": rep.Readmitted, "held": rep.Held, "rejected": rep.Rejected,
		"matched": matched, "matched_total": total})
}

// prepared is a valid row with what writing it needs computed ahead: the
// milestone dates, the NIK's blind index and the person it already names,
// and, should the row add a person, a new uid and the NIK sealed for it.
type prepared struct {
	row    *importer.Row
	source string
	index  []byte
	person *store.PersonKey // the stored person with this NIK, if any
	uid    string
	sealed []byte
}

// importBatchOf is a batch of rows for the writer, with the share of the
// file read when it was sent (-1 when not known).
type importBatchOf struct {
	header *importer.Header
	rows   []prepared
	read   float64
}

// importScan is what reading the file learns. The reading goroutine owns it
// until it closes its channel of batches.
type importScan struct {
	header   *importer.Header // nil unless the whole file was read as an inmate table
	bad      map[int]bool     // lines with a problem
	skip     map[int]bool     // lines known beforehand to be duplicates: never sent
	late     bool             // a duplicate of a row already sent to the writer
	sha256   string
	rows     int
	rejected int
	problems ImportReport // the problems found in reading, bounded as in a report
	unknown  []string
	more     int // unknown columns beyond those listed
}

func (s *importScan) reject(line int) {
	if !s.bad[line] {
		s.bad[line] = true
		s.rejected++
	}
}

// report adds what reading found to the writer's report.
func (s *importScan) report(rep *ImportReport) {
	rep.Rows, rep.UnknownColumns, rep.MoreUnknownColumns = s.rows, s.unknown, s.more
	rep.Rejected += s.rejected
	writing := rep.Problems
	more := s.problems.MoreProblems + rep.MoreProblems
	rep.Problems, rep.MoreProblems = nil, 0
	for _, p := range slices.Concat(s.problems.Problems, writing) {
		rep.problem(p)
	}
	rep.MoreProblems += more
	slices.SortStableFunc(rep.Problems, func(x, y importer.Problem) int { return x.Line - y.Line })
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readImport reads the file, checks every row and finds duplicates, and
// sends the valid rows, prepared, in batches, until the end of the file or
// until stop is closed. A row is sent only while it has no duplicate so far;
// should one turn up later, s.late says so.
func (a *App) readImport(ctx context.Context, open ImportSource, opts ImportOptions, today binakerja.Date, s *importScan,
	out chan<- importBatchOf, stop <-chan struct{}) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	hash := sha256.New()
	src := &countingReader{r: io.TeeReader(f, hash)}
	recs, err := importer.Open(src, opts.Sheet)
	var fe *importer.FileError
	if errors.As(err, &fe) {
		s.problems.problem(importer.Problem{Key: fe.Key, Args: fe.Args})
		return nil
	}
	if err != nil {
		return err
	}
	defer recs.Close()
	first, line, ok := recs.Next()
	if !ok {
		if errors.As(recs.Err(), &fe) {
			s.problems.problem(importer.Problem{Key: fe.Key, Args: fe.Args})
		} else {
			s.problems.problem(importer.Problem{Key: "import.file.empty"})
		}
		return nil
	}
	h, missing, twice := importer.ParseHeader(slices.Clone(first))
	s.unknown, s.more = h.Unknown, h.MoreUnknown
	for _, c := range missing {
		s.problems.problem(importer.Problem{Line: line, Field: string(c), Key: "import.column.missing"})
	}
	for _, c := range twice {
		s.problems.problem(importer.Problem{Line: line, Field: c, Key: "import.column.twice"})
	}
	if len(missing)+len(twice) > 0 {
		return nil
	}

	// The share of the file read: from the bytes, for a CSV file of known
	// size (an XLSX file is read whole before its first row).
	read := func() float64 {
		if opts.Size <= 0 || importer.IsXLSX(recs) {
			return -1
		}
		return min(1, float64(src.n)/float64(opts.Size))
	}
	batch := make([]prepared, 0, importBatch)
	lastSent := 0 // the last line of the batches sent
	// send hands the batch to the writer, with the people its NIKs name.
	// They are looked up here, on the reading core, outside the writing
	// transaction: what it wrote so far are people of this file, whose NIKs
	// the file does not repeat, and no other writer can commit meanwhile
	// (on SQLite the transaction holds the only write lock; on PostgreSQL
	// a person added meanwhile by another import breaks the unique index and
	// the import fails whole).
	send := func() (bool, error) {
		batch = slices.DeleteFunc(batch, func(p prepared) bool { return s.bad[p.row.Line] })
		var indexes [][]byte
		for _, p := range batch {
			if p.index != nil {
				indexes = append(indexes, p.index)
			}
		}
		known, err := a.db.PersonsByNIKIndex(ctx, indexes)
		if err != nil {
			return false, err
		}
		for i, p := range batch {
			if pk, ok := known[string(p.index)]; ok && p.index != nil {
				batch[i].person = &pk
			}
		}
		if len(batch) > 0 {
			lastSent = batch[len(batch)-1].row.Line
		}
		select {
		case out <- importBatchOf{header: h, rows: batch, read: read()}:
			batch = make([]prepared, 0, importBatch)
			return true, nil
		case <-stop:
			return false, nil
		}
	}
	// The first line using each NIK (as a number: 16 digits fit in 64 bits)
	// and each registration number; a second use marks both lines.
	firstNIK := map[uint64]int{}
	firstRegno := map[string]int{}
	reported := map[string]bool{}
	dup := func(key string, prev int, line int, field string, msg string) {
		if !reported[key] {
			reported[key] = true
			s.problems.problem(importer.Problem{Line: prev, Field: field, Key: msg, Args: []any{line}})
			if prev <= lastSent && !s.bad[prev] && !s.skip[prev] {
				s.late = true
			}
			s.reject(prev)
		}
		s.problems.problem(importer.Problem{Line: line, Field: field, Key: msg, Args: []any{prev}})
		s.reject(line)
	}
	for {
		rec, line, ok := recs.Next()
		if !ok {
			break
		}
		s.rows++
		row, ps := h.Parse(rec, line, today)
		if row == nil {
			for _, p := range ps {
				s.problems.problem(p)
			}
			s.reject(line)
			continue
		}
		if nik, err := strconv.ParseUint(row.NIK, 10, 64); err == nil {
			if prev, seen := firstNIK[nik]; seen {
				dup("n:"+row.NIK, prev, line, h.Name(importer.ColNIK), "import.duplicate.nik")
			} else {
				firstNIK[nik] = line
			}
		}
		if prev, seen := firstRegno[row.RegistrationNumber]; seen {
			dup("r:"+row.RegistrationNumber, prev, line, h.Name(importer.ColRegistration), "import.duplicate.registration")
		} else {
			firstRegno[strings.Clone(row.RegistrationNumber)] = line // not the whole record
		}
		if s.bad[line] || s.skip[line] || s.late {
			// Once a row already written turns out to be a duplicate, the
			// import runs again; reading on only completes the report.
			continue
		}
		p := prepared{row: row, source: row.Milestones(), uid: newUID()}
		if row.NIK != "" {
			p.index = a.nik.Index(row.NIK)
			p.sealed = a.nik.Seal(p.uid, row.NIK)
		}
		if batch = append(batch, p); len(batch) == importBatch {
			if ok, err := send(); !ok {
				return err
			}
		}
	}
	if err := recs.Err(); err != nil {
		if errors.As(err, &fe) {
			s.problems.problem(importer.Problem{Key: fe.Key, Args: fe.Args})
			return nil
		}
		return err
	}
	if len(batch) > 0 && !s.late {
		if ok, err := send(); !ok {
			return err
		}
	}
	s.header = h
	if _, err := io.Copy(hash, src); err != nil { // whatever the reader did not need
		return err
	}
	s.sha256 = hex.EncodeToString(hash.Sum(nil))
	return nil
}
