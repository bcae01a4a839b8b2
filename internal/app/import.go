package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"

	"binakerja"
	"binakerja/internal/importer"
	"binakerja/internal/store"
)

// ImportSource opens the file being imported. The import reads it twice (once
// to find duplicates, once to write), so that memory stays small whatever the
// file's size.
type ImportSource func() (io.ReadCloser, error)

// ImportOptions steer an import.
type ImportOptions struct {
	FileName   string
	Sheet      string                // XLSX sheet; the first when empty
	DryRun     bool                  // report what would happen, write nothing
	SkipErrors bool                  // write the valid rows even when others have errors
	Progress   func(done, total int) // rows written of the valid rows, now and then
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
	Rejected       int
	Problems       []importer.Problem // sorted by line; at most MaxReportedProblems
	MoreProblems   int                // problems left out of the list
	UnknownColumns []string
	DryRun         bool
	Written        bool
	ImportID       int64
}

func (r *ImportReport) problem(p importer.Problem) {
	if len(r.Problems) < MaxReportedProblems {
		r.Problems = append(r.Problems, p)
	} else {
		r.MoreProblems++
	}
}

// errImportRefused makes Transact roll back an import that will not be kept.
var errImportRefused = errors.New("import not kept")

// ImportInmates imports an inmate file into the facility's register
// (contract §4). A row whose NIK, or else registration number, matches a
// person in custody there updates that person; a NIK of someone released
// earlier opens a new custody episode (a re-admission); other rows add
// people. Re-importing a file changes nothing. Two rows with the same NIK or
// registration number are both rejected. The whole import is one
// transaction: unless SkipErrors, any problem means nothing is written, and
// the error is Invalid with the report telling why.
func (a *App) ImportInmates(ctx context.Context, ac Actor, facility string, open ImportSource, opts ImportOptions) (*ImportReport, error) {
	role, err := a.authorize(ctx, ac, binakerja.ActionInmateWrite, "")
	if err != nil {
		return nil, err
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
	rep := &ImportReport{DryRun: opts.DryRun}
	today := a.today()

	// Pass 1: validate every row, hash the file, find duplicate keys.
	scan, err := a.scanImport(open, opts.Sheet, today, rep)
	if err != nil {
		return rep, err
	}
	if scan.header == nil { // the file cannot be read as an inmate table
		return rep, binakerja.Errorf(binakerja.Invalid, "import.refused")
	}

	// Pass 2: match and write, in one transaction.
	keep := false
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		rec := &store.ImportRecord{FacilityID: fac.ID, FileName: opts.FileName, FileSHA256: scan.sha256, Actor: ac.label()}
		if !opts.DryRun {
			if err := tx.CreateImport(ctx, rec); err != nil {
				return err
			}
		}
		w := &importWriter{a: a, tx: tx, ctx: ctx, fac: fac, rep: rep, importID: rec.ID, h: scan.header}
		if err := w.start(); err != nil {
			return err
		}
		// Reading, parsing and sealing run beside the writing, on the
		// other core, a batch ahead.
		batches := make(chan []prepared, 2)
		stop := make(chan struct{})
		defer close(stop)
		var readErr error
		go func() {
			defer close(batches)
			readErr = a.prepareRows(open, opts.Sheet, scan, today, batches, stop)
		}()
		done := 0
		for batch := range batches {
			if err := w.write(batch); err != nil {
				return err
			}
			done += len(batch)
			if opts.Progress != nil {
				opts.Progress(done, rep.Rows-len(scan.bad))
			}
		}
		if readErr != nil {
			return readErr
		}
		slices.SortStableFunc(rep.Problems, func(x, y importer.Problem) int { return x.Line - y.Line })
		keep = !opts.DryRun && (rep.Rejected == 0 || opts.SkipErrors)
		if !keep {
			return errImportRefused
		}
		rec.Rows, rec.Created, rec.Updated, rec.Unchanged, rec.Readmitted, rec.Rejected =
			rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Readmitted, rep.Rejected
		if err := tx.FinishImport(ctx, rec); err != nil {
			return err
		}
		rep.ImportID = rec.ID
		return a.record(ctx, tx, ac, role, "inmate.import", "import", itoa(rec.ID), fac.Code, map[string]any{
			"file": opts.FileName, "sha256": scan.sha256, "rows": rep.Rows, "created": rep.Created,
			"updated": rep.Updated, "unchanged": rep.Unchanged, "readmitted": rep.Readmitted, "rejected": rep.Rejected})
	})
	if opts.Progress != nil && scan.header != nil {
		opts.Progress(rep.Rows-len(scan.bad), rep.Rows-len(scan.bad))
	}
	switch {
	case errors.Is(err, errImportRefused):
		if rep.Rejected > 0 && !opts.SkipErrors {
			return rep, binakerja.Errorf(binakerja.Invalid, "import.refused")
		}
		return rep, nil // a dry run
	case err != nil:
		var fe *importer.FileError
		if errors.As(err, &fe) {
			rep.problem(importer.Problem{Line: 0, Key: fe.Key, Args: fe.Args})
			return rep, binakerja.Errorf(binakerja.Invalid, "import.refused")
		}
		return rep, err
	}
	rep.Written = true
	return rep, nil
}

// prepared is a valid row with what writing it needs computed ahead: the
// milestone dates, the NIK's blind index, and, should the row add a person,
// a new uid and the NIK sealed for it.
type prepared struct {
	row    *importer.Row
	source string
	index  []byte
	uid    string
	sealed []byte
}

// prepareRows reads the file again and sends its valid rows, prepared, in
// batches, until the end of the file or until stop is closed.
func (a *App) prepareRows(open ImportSource, sheet string, scan *importScan, today binakerja.Date,
	out chan<- []prepared, stop <-chan struct{}) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := importer.Open(f, sheet)
	if err != nil {
		return err
	}
	recs.Next() // the header
	batch := make([]prepared, 0, importBatch)
	send := func() bool {
		select {
		case out <- batch:
			batch = make([]prepared, 0, importBatch)
			return true
		case <-stop:
			return false
		}
	}
	for {
		r, line, ok := recs.Next()
		if !ok {
			break
		}
		if scan.bad[line] {
			continue
		}
		row, _ := scan.header.Parse(r, line, today)
		if row == nil {
			continue
		}
		p := prepared{row: row, source: row.Milestones(), uid: newUID()}
		if row.NIK != "" {
			p.index = a.nik.Index(row.NIK)
			p.sealed = a.nik.Seal(p.uid, row.NIK)
		}
		if batch = append(batch, p); len(batch) == importBatch && !send() {
			return nil
		}
	}
	if err := recs.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		send()
	}
	return nil
}

// importScan is what the first pass learns.
type importScan struct {
	header *importer.Header
	bad    map[int]bool // lines with a problem
	sha256 string
}

func (a *App) scanImport(open ImportSource, sheet string, today binakerja.Date, rep *ImportReport) (*importScan, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	hash := sha256.New()
	recs, err := importer.Open(io.TeeReader(f, hash), sheet)
	var fe *importer.FileError
	if errors.As(err, &fe) {
		rep.problem(importer.Problem{Key: fe.Key, Args: fe.Args})
		return &importScan{}, nil
	}
	if err != nil {
		return nil, err
	}
	first, line, ok := recs.Next()
	if !ok {
		if errors.As(recs.Err(), &fe) {
			rep.problem(importer.Problem{Key: fe.Key, Args: fe.Args})
		} else {
			rep.problem(importer.Problem{Key: "import.file.empty"})
		}
		return &importScan{}, nil
	}
	h, missing, twice := importer.ParseHeader(slices.Clone(first))
	rep.UnknownColumns = h.Unknown
	for _, c := range missing {
		rep.problem(importer.Problem{Line: line, Field: string(c), Key: "import.column.missing"})
	}
	for _, c := range twice {
		rep.problem(importer.Problem{Line: line, Field: c, Key: "import.column.twice"})
	}
	if len(missing)+len(twice) > 0 {
		return &importScan{}, nil
	}
	s := &importScan{header: h, bad: map[int]bool{}}
	// firstLine maps a NIK or registration number to the first line using it;
	// a second use marks both lines.
	firstLine := map[string]int{}
	reject := func(line int) {
		if !s.bad[line] {
			s.bad[line] = true
			rep.Rejected++
		}
	}
	reported := map[string]bool{}
	dup := func(key string, line int, field string, bad string) {
		prev, seen := firstLine[key]
		if !seen {
			firstLine[key] = line
			return
		}
		if !reported[key] {
			reported[key] = true
			rep.problem(importer.Problem{Line: prev, Field: field, Key: bad, Args: []any{line}})
			reject(prev)
		}
		rep.problem(importer.Problem{Line: line, Field: field, Key: bad, Args: []any{prev}})
		reject(line)
	}
	for {
		rec, line, ok := recs.Next()
		if !ok {
			break
		}
		rep.Rows++
		row, ps := h.Parse(rec, line, today)
		if row == nil {
			for _, p := range ps {
				rep.problem(p)
			}
			reject(line)
			continue
		}
		if row.NIK != "" {
			dup("n:"+row.NIK, line, h.Name(importer.ColNIK), "import.duplicate.nik")
		}
		dup("r:"+row.RegistrationNumber, line, h.Name(importer.ColRegistration), "import.duplicate.registration")
	}
	if err := recs.Err(); err != nil {
		if errors.As(err, &fe) {
			rep.problem(importer.Problem{Key: fe.Key, Args: fe.Args})
			return &importScan{}, nil
		}
		return nil, err
	}
	io.Copy(hash, f) // whatever the reader did not need
	s.sha256 = hex.EncodeToString(hash.Sum(nil))
	return s, nil
}
