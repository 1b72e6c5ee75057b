// Package retrieval holds SAMO's retrieval evaluation set and a small harness
// that scores any ranking on it.
//
// The set lives in testdata and is embedded, so it loads from any working
// directory:
//
//   - entries.json: journal-like entries written for this set, spread over
//     2019–2026, with pairs on close topics (two about the dog, two about work
//     stress, two about a breakup) so that topic alone does not find the entry.
//   - queries.json: one query per entry that says what the entry says in other
//     words, with few or no content words in common with it. This is the set
//     to develop and tune on.
//   - unseen.json: 24 queries written after and apart from queries.json, in a
//     different style (short, vague, emotional, informal spelling). It is a
//     held-out check: nobody tunes on it; report it beside queries.json only.
//     It was looked at once to turn a change down (see the README).
//   - fresh-entries.json and fresh-queries.json: a second set, with 45
//     entries of its own and 60 queries, written blind by a separate session
//     that saw neither the code, the rankings nor the other sets, and asked
//     for queries as a person types them to find an entry from memory: most
//     in other words, some with a name or thing the entry holds. It was
//     committed before anything was scored on it; nobody tunes on it.
//   - fresh-paraphrase.json: 50 queries on the fresh entries, written blind
//     in the same way but asked for as paraphrases (41 share no content word
//     with their entry, 9 a name or thing): the fresh set's counterpart of
//     queries.json, committed before anything was scored on it.
//
// Distractors are GoEmotions dev comments read at run time from the folder
// named by SAMO_GOEMOTIONS_DIR (default: <repo root>/../shared/data/goemotions);
// they are never copied into the repository. Without that folder, [Load]
// returns the set without distractors together with an error wrapping
// [ErrNoDistractors], so a caller can log it and score on the entries alone.
//
// [Score] takes a ranking function (query → document ids, best first) and
// reports MRR and recall at 1, 5 and 10.
package retrieval
