package storage

import (
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// WriteSchemaVersionForTest creates a bbolt file at path whose meta bucket
// claims the given schema version.
func WriteSchemaVersionForTest(path string, v int) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keySchema, []byte(strconv.Itoa(v)))
	})
}
