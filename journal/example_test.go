package journal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/samojournal/samo/journal"
	"github.com/samojournal/samo/journal/journaltest"
)

// A Service over a store (here in memory; storage.Store is the real one)
// with an emotion model saves an entry with its reading, and a person's
// correction is kept beside the model's.
func ExampleService() {
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 21, 30, 0, 0, time.UTC)
	svc := journal.NewService(journaltest.NewMemStore(),
		journal.WithAnalyzer(&journaltest.WordAnalyzer{Name: "words", Version: "1"}))

	e, err := svc.AddAt(ctx, "A walk by the river, and such joy at the end.", at, "walks")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Title(40), "·", e.Revision)
	fmt.Println(e.DescribeFeelings())

	e, err = svc.Correct(ctx, e.ID, []string{"relief", "Joy"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.DescribeFeelings(), "·", e.Revision)
	// Output:
	// A walk by the river, and such joy at th… · 1
	// Emotions: joy (strong)
	// Your emotions: joy, relief · the model read: joy (strong) · 2
}

// Notices carry what a person should know that did not stop the work:
// here, a text that was not valid UTF-8 and was repaired.
func ExampleNotices() {
	notices := journal.NewNotices()
	stop := notices.Listen(func(n journal.Notice) { fmt.Println("notice:", n.Message) })
	defer stop()
	svc := journal.NewService(journaltest.NewMemStore(), journal.WithNotices(notices))
	if _, err := svc.Add(context.Background(), "caf\xe9 au lait"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// notice: the text was not valid UTF-8; invalid bytes were replaced with U+FFFD
}
