// Package whispertest makes Whisper models for tests and benchmarks, in the
// Hugging Face ONNX layout that inference/whisper opens: an encoder
// (input_features [1, n_mels, 3000] → last_hidden_state [1, 1500, d_model])
// and a merged decoder (input_ids, encoder_hidden_states, the past keys and
// values of every layer's self- and cross-attention and use_cache_branch →
// logits and the present keys and values), with config.json,
// generation_config.json, preprocessor_config.json and a byte-level BPE
// tokenizer (vocab.json, merges.txt, added_tokens.json) using GPT-2's
// vocabulary and Whisper's special token ids.
//
// # The scripted model
//
// WriteScripted writes a pair whose greedy transcript is known from the
// audio. The encoder measures the loudness of each 20 ms encoder frame (the
// mean normalized log-mel); the decoder splits the 30 s window into six
// 5 s regions and says one word for each region that holds a frame louder
// than SpeechThreshold: " Today", " I", " walked", " and", " felt",
// " calm" (RegionWord). Without timestamps it then says "." and
// <|endoftext|>; with timestamps each word is framed by the timestamps of
// its region's first and last loud frames, except that the first segment
// starts at <|0.00|>. A silent window gets a high <|nospeech|> probability
// at <|startoftranscript|> and an unsure " you". A multilingual model
// detects English when the first region holds speech and French otherwise.
//
// The decoder keeps its state in the caches, so a runner that mishandles
// them gets another transcript: whether <|notimestamps|> was in the prompt
// lives in layer 0's self-attention key, the prompt's length in the last
// layer's value, and the loudness in layer 0's cross-attention key; the
// generated token's index is the past length plus the position. It also
// sets traps that greedy decoding must refuse by Whisper's rules: a louder
// " " at the first step (begin_suppress_tokens), a louder "\"" at the
// second (suppress_tokens), and with timestamps a louder <|0.00|> where the
// second segment starts (timestamps must not decrease) and a louder
// <|30.00|> where its word is due (timestamps come in pairs).
//
// # Random-weight models
//
// WriteRandom writes a pair with Whisper's real structure (Conv1d front end,
// pre-LayerNorm attention and Gelu feed-forward layers, a causal
// self-attention cache and a cross-attention cache) and random weights, at
// any size (Tiny, Base), in float32 or with int8 dynamic quantization of
// the linear layers, for benchmarks.
package whispertest
