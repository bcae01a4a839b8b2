package store_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"binakerja"
	"binakerja/internal/store"
)

func newInmate(i int, status binakerja.LegalStatus) store.NewInmate {
	return store.NewInmate{
		Person: binakerja.Person{Name: fmt.Sprintf("Warga %d", i), Sex: binakerja.Male},
		UID:    fmt.Sprintf("uid-%d", i),
		Episode: binakerja.Episode{RegistrationNumber: fmt.Sprintf("B.I-%d", i), Status: status,
			AdmissionDate: binakerja.NewDate(2025, 1, 2)},
	}
}

func history(t *testing.T, db *store.DB, episodeID int64) []string {
	t.Helper()
	h, err := db.StatusHistory(t.Context(), episodeID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range h {
		out = append(out, string(s.Status)+" "+s.Date.String()+" "+s.Reason)
	}
	return out
}

// An import writes hundreds of people per statement with ids it reserves
// itself; each gets their own id, episode and a status history that starts
// with the admission, as one written alone does: both in a plain
// transaction and in a TransactBulk (COPY on PostgreSQL).
func TestBulkCreatedInmatesGetTheirIdsEpisodesAndHistory(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		for _, bulk := range []bool{false, true} {
			t.Run(fmt.Sprintf("bulk=%v", bulk), func(t *testing.T) { bulkCreated(t, db, bulk) })
		}
	})
}

func bulkCreated(t *testing.T, db *store.DB, bulk bool) {
	transact := db.Transact
	if bulk {
		transact = db.TransactBulk
	}
	code := fmt.Sprintf("LP-%v", bulk)
	fac := newOrg(code, "Lapas "+code, binakerja.OrgFacility, nil)
	create(t, db, fac)
	var single binakerja.Episode
	in := make([]store.NewInmate, 1300) // several statements on both engines
	for i := range in {
		in[i] = newInmate(i, binakerja.StatusConvict)
	}
	err := transact(t.Context(), func(tx *store.Tx) error {
		p := binakerja.Person{Name: "Warga Tunggal"}
		if err := tx.CreatePerson(t.Context(), &p, "uid-single", nil, nil); err != nil {
			return err
		}
		single = binakerja.Episode{PersonID: p.ID, RegistrationNumber: "B.I-single", Status: binakerja.StatusDetainee,
			AdmissionDate: binakerja.NewDate(2025, 3, 4)}
		if err := tx.CreateEpisode(t.Context(), &single, fac.ID, 0); err != nil {
			return err
		}
		if err := tx.CreateInmates(t.Context(), fac.ID, 0, in); err != nil {
			return err
		}
		single.Status = binakerja.StatusConvict
		if err := tx.UpdateEpisode(t.Context(), &single, fac.ID); err != nil {
			return err
		}
		return tx.AddStatus(t.Context(), single.ID, single.Status, binakerja.NewDate(2025, 5, 6), "putusan")
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{single.ID: true}
	for i, n := range in {
		if seen[n.Episode.ID] || n.Person.ID == 0 || n.Episode.PersonID != n.Person.ID {
			t.Fatalf("row %d: person %d, episode %d of person %d", i, n.Person.ID, n.Episode.ID, n.Episode.PersonID)
		}
		seen[n.Episode.ID] = true
	}
	for _, i := range []int{0, 777, len(in) - 1} {
		got, err := db.Inmate(t.Context(), in[i].Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Person.Name != in[i].Person.Name || got.Episode.ID != in[i].Episode.ID ||
			got.Episode.RegistrationNumber != in[i].Episode.RegistrationNumber || !got.Person.CreatedAt.Equal(db.Now()) {
			t.Errorf("row %d read back as %+v", i, got)
		}
		if h := history(t, db, in[i].Episode.ID); !slices.Equal(h, []string{"NARAPIDANA 2025-01-02 admission"}) {
			t.Errorf("row %d: history %q", i, h)
		}
	}
	want := []string{"TAHANAN 2025-03-04 admission", "NARAPIDANA 2025-05-06 putusan"}
	if h := history(t, db, single.ID); !slices.Equal(h, want) {
		t.Errorf("history %q, want %q", h, want)
	}
}

// Migration 0010 moves each episode's admission status out of its history
// into the episode, and the history reads the same before and after.
func TestAdmissionStatusMigrationKeepsTheHistory(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			db := openDB(t, e)
			if err := db.MigrateToForTest(t.Context(), 9); err != nil {
				t.Fatal(err)
			}
			fac := newOrg("LP-1", "Lapas Satu", binakerja.OrgFacility, nil)
			var episode int64
			err := db.Transact(t.Context(), func(tx *store.Tx) error {
				ctx := t.Context()
				// The organisation as schema 9 had it (later migrations add
				// columns that CreateOrganization writes).
				if err := tx.QueryRowForTest(ctx, `INSERT INTO organizations (code, name, search_name, kind, path,
					facility_type, created_at, updated_at) VALUES ('LP-1', 'Lapas Satu', 'lapas satu', 'facility',
					'/LP-1/', 'LAPAS', $1, $1) RETURNING id`, db.Now()).Scan(&fac.ID); err != nil {
					return err
				}
				p := binakerja.Person{Name: "Warga Lama"}
				if err := tx.CreatePerson(ctx, &p, "uid-old", nil, nil); err != nil {
					return err
				}
				if err := tx.QueryRowForTest(ctx, `INSERT INTO custody_episodes (person_id, facility_id,
					registration_number, admission_date, status, created_at, updated_at)
					VALUES ($1, $2, 'B.I-1', '2024-01-02', 'NARAPIDANA', $3, $3) RETURNING id`,
					p.ID, fac.ID, db.Now()).Scan(&episode); err != nil {
					return err
				}
				for _, s := range [][3]string{{"TAHANAN", "2024-01-02", "admission"}, {"NARAPIDANA", "2024-06-07", "putusan"}} {
					if _, err := tx.ExecForTest(ctx, `INSERT INTO episode_statuses (episode_id, status, date, reason,
						created_at) VALUES ($1, $2, $3, $4, $5)`, episode, s[0], s[1], s[2], db.Now()); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			want := []string{"TAHANAN 2024-01-02 admission", "NARAPIDANA 2024-06-07 putusan"}
			if h := history(t, db, episode); !slices.Equal(h, want) {
				t.Errorf("history %q, want %q", h, want)
			}
			var left int
			if err := db.ReadPoolForTest().QueryRowContext(t.Context(),
				`SELECT count(*) FROM episode_statuses WHERE reason = 'admission'`).Scan(&left); err != nil || left != 0 {
				t.Errorf("%d admission rows left in the history table (%v)", left, err)
			}
		})
	}
}

// A bulk transaction leaves the writer checking foreign keys again, whether
// it committed or rolled back.
func TestForeignKeysAreCheckedAgainAfterABulkTransaction(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		fac := newOrg("LP-1", "Lapas Satu", binakerja.OrgFacility, nil)
		create(t, db, fac)
		in := []store.NewInmate{newInmate(1, binakerja.StatusConvict)}
		if err := db.TransactBulk(t.Context(), func(tx *store.Tx) error {
			return tx.CreateInmates(t.Context(), fac.ID, 0, in)
		}); err != nil {
			t.Fatal(err)
		}
		refused := errors.New("refused")
		if err := db.TransactBulk(t.Context(), func(tx *store.Tx) error { return refused }); err != refused {
			t.Fatal(err)
		}
		for range 2 { // the writer's one connection, taken twice
			err := db.Transact(t.Context(), func(tx *store.Tx) error {
				e := binakerja.Episode{PersonID: in[0].Person.ID + 1000, RegistrationNumber: "B.I-x",
					Status: binakerja.StatusConvict, AdmissionDate: binakerja.NewDate(2025, 1, 2)}
				return tx.CreateEpisode(t.Context(), &e, fac.ID, 0)
			})
			if binakerja.ErrorKind(err) != binakerja.Invalid {
				t.Fatalf("an episode of nobody: %v, want Invalid (a broken foreign key)", err)
			}
		}
	})
}
