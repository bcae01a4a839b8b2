package store

import (
	"context"

	"binakerja"
)

// ReleaseDocumentsOf returns the documents recorded for a person, by kind:
// held or in progress.
func (q Queries) ReleaseDocumentsOf(ctx context.Context, personID int64) (map[binakerja.DocumentKind]binakerja.DocumentStatus, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT kind, status FROM release_documents WHERE person_id = $1`, personID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[binakerja.DocumentKind]binakerja.DocumentStatus{}
	for rows.Next() {
		var kind, status string
		if err := rows.Scan(&kind, &status); err != nil {
			return nil, err
		}
		out[binakerja.DocumentKind(kind)] = binakerja.DocumentStatus(status)
	}
	return out, mapError(rows.Err())
}

// SetReleaseDocuments replaces a person's documents with those given (a
// kind not given is missing).
func (tx *Tx) SetReleaseDocuments(ctx context.Context, personID int64, docs map[binakerja.DocumentKind]binakerja.DocumentStatus, by string) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM release_documents WHERE person_id = $1`, personID); err != nil {
		return mapError(err)
	}
	for _, kind := range binakerja.DocumentKinds {
		status, ok := docs[kind]
		if !ok {
			continue
		}
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO release_documents (person_id, kind, status, noted_by, updated_at)
			VALUES ($1, $2, $3, $4, $5)`, personID, string(kind), string(status), by, tx.Now); err != nil {
			return mapError(err)
		}
	}
	return nil
}
