package audio_test

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/samojournal/samo/audio"
)

// chunk is one RIFF chunk of a hand-made WAV file: its id, the size its
// header declares and the bytes that follow (padded to an even size when
// pad is set).
type chunk struct {
	id       string
	declared uint32
	body     []byte
	pad      bool
}

// ck is a chunk whose declared size is its body's, padded.
func ck(id string, body []byte) chunk { return chunk{id, uint32(len(body)), body, true} }

// riff joins chunks into a RIFF/WAVE file.
func riff(chunks ...chunk) []byte {
	b := []byte("WAVE")
	for _, c := range chunks {
		b = append(b, c.id...)
		b = binary.LittleEndian.AppendUint32(b, c.declared)
		b = append(b, c.body...)
		if c.pad && len(c.body)%2 == 1 {
			b = append(b, 0)
		}
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(b)))...), b...)
}

// fmtBody is a plain 16-byte fmt chunk body.
func fmtBody(format uint16, chans int, rate uint32, bits uint16) []byte {
	b := binary.LittleEndian.AppendUint16(nil, format)
	b = binary.LittleEndian.AppendUint16(b, uint16(chans))
	b = binary.LittleEndian.AppendUint32(b, rate)
	b = binary.LittleEndian.AppendUint32(b, rate*uint32(chans)*uint32(bits)/8)
	b = binary.LittleEndian.AppendUint16(b, uint16(chans)*bits/8)
	return binary.LittleEndian.AppendUint16(b, bits)
}

// extensibleBody is a 40-byte WAVE_FORMAT_EXTENSIBLE fmt body whose
// subformat is sub, cut to n bytes.
func extensibleBody(sub uint16, chans int, rate uint32, bits uint16, n int) []byte {
	b := fmtBody(0xFFFE, chans, rate, bits)
	b = binary.LittleEndian.AppendUint16(b, 22)
	b = binary.LittleEndian.AppendUint16(b, bits)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint16(b, sub)
	b = append(b, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71)
	return b[:n]
}

// hostile is one input SAMO must refuse (want is the error it must match)
// or read (want nil), whichever door it comes through.
type hostile struct {
	category, name string
	data           []byte
	want           error
}

// hostileBytes lists the hostile files made of bytes; mp3 is a real MP3
// file (lame) and wav a real WAV file (espeak-ng).
func hostileBytes(mp3, wav []byte) []hostile {
	pcm := make([]byte, 4000)
	f16 := fmtBody(1, 1, 16000, 16)
	// A data chunk declaring more than the file holds, in a real file and a
	// hand-made one, and a real file cut to its first 3,000 bytes.
	longer := riff(ck("fmt ", f16), chunk{"data", 8000, pcm, true})
	stream := riff(ck("fmt ", f16), chunk{"data", 0xFFFFFFFF, pcm, true})
	hs := []hostile{
		{"wav header", "data declares more than the file holds", longer, audio.ErrTruncated},
		{"wav header", "real file cut to 3000 bytes", wav[:min(3000, len(wav)-1)], audio.ErrTruncated},
		{"wav header", "real file cut inside the last frame", wav[:len(wav)-1], audio.ErrTruncated},
		{"wav header", "data size unknown (streamed, 0xFFFFFFFF)", stream, nil},
		{"wav header", "zero channels", riff(ck("fmt ", fmtBody(1, 0, 16000, 16)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "nine channels", riff(ck("fmt ", fmtBody(1, 9, 16000, 16)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "rate 0", riff(ck("fmt ", fmtBody(1, 1, 0, 16)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "rate 4 GHz", riff(ck("fmt ", fmtBody(1, 1, 4_000_000_000, 16)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "rate 1 Hz", riff(ck("fmt ", fmtBody(1, 1, 1, 16)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "rate 8 kHz", riff(ck("fmt ", fmtBody(1, 1, 8000, 16)), ck("data", pcm)), nil},
		{"wav header", "bits 0", riff(ck("fmt ", fmtBody(1, 1, 16000, 0)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "bits 7", riff(ck("fmt ", fmtBody(1, 1, 16000, 7)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "bits 64 PCM", riff(ck("fmt ", fmtBody(1, 1, 16000, 64)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "bits 16 float", riff(ck("fmt ", fmtBody(3, 1, 16000, 16)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "a-law", riff(ck("fmt ", fmtBody(6, 1, 8000, 8)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "extensible PCM 24-bit", riff(ck("fmt ", extensibleBody(1, 2, 48000, 24, 40)), ck("data", pcm[:3000])), nil},
		{"wav header", "extensible float 64-bit", riff(ck("fmt ", extensibleBody(3, 1, 48000, 64, 40)), ck("data", pcm)), nil},
		{"wav header", "extensible with an unknown subformat", riff(ck("fmt ", extensibleBody(0x55, 1, 48000, 16, 40)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "extensible cut to 18 bytes", riff(ck("fmt ", extensibleBody(1, 1, 48000, 16, 18)), ck("data", pcm)), audio.ErrUnsupported},
		{"wav header", "fmt of 14 bytes", riff(ck("fmt ", f16[:14]), ck("data", pcm)), audio.ErrNotWAV},
		{"wav header", "fmt of 4 GB", riff(chunk{"fmt ", 0xFFFFFFF0, f16, false}, ck("data", pcm)), audio.ErrTruncated},
		{"wav header", "odd chunk, padded", riff(ck("fmt ", f16), ck("LIST", []byte("odd")), ck("data", pcm)), nil},
		{"wav header", "odd data chunk, padded", riff(ck("fmt ", f16), ck("data", pcm[:7])), nil},
		{"wav header", "odd chunk at the end, unpadded", riff(ck("fmt ", f16), ck("data", pcm), chunk{"LIST", 3, []byte("odd"), false}), nil},
		{"wav header", "chunk of 4 GB before the data", riff(ck("fmt ", f16), chunk{"LIST", 0xFFFFFFFF, []byte("odd"), false}, ck("data", pcm)), audio.ErrTruncated},
		{"wav header", "data chunk missing", riff(ck("fmt ", f16), ck("LIST", []byte("info"))), audio.ErrNotWAV},
		{"wav header", "fmt after data", riff(ck("data", pcm), ck("fmt ", f16)), audio.ErrNotWAV},
		{"wav header", "no chunks", riff(), audio.ErrNotWAV},
		{"wav header", "RIFF but not WAVE", append([]byte("RIFF\x04\x00\x00\x00AVI "), make([]byte, 40)...), audio.ErrNotWAV},
		{"wav header", "cut inside the RIFF header", []byte("RIFF\x24\x00\x00"), audio.ErrNotWAV},
		{"wav header", "cut inside a chunk header", longer[:16], audio.ErrTruncated},
		{"wav header", "cut inside the fmt chunk", longer[:30], audio.ErrTruncated},
		{"wav header", "a data chunk of 0 bytes", riff(ck("fmt ", f16), ck("data", nil)), nil},
		{"other", "empty", nil, audio.ErrUnknownFormat},
		{"other", "zeros", make([]byte, 1<<16), audio.ErrUnknownFormat},
		{"other", "text", []byte("hello, this is not audio"), audio.ErrUnknownFormat},
		{"other", "ogg", []byte("OggS\x00\x02rest of a page"), audio.ErrUnsupported},
		{"other", "flac", []byte("fLaC\x00\x00\x00\x22"), audio.ErrUnsupported},
		{"mp3", "ID3 tag and no frame", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x10"), make([]byte, 16)...), audio.ErrCorruptMP3},
		{"mp3", "ID3 tag larger than the file", []byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7fshort"), audio.ErrCorruptMP3},
		{"mp3", "a frame sync and nothing after", []byte("\xff\xfb\x90\x00"), audio.ErrCorruptMP3},
		{"mp3", "a frame sync and zeros", append([]byte("\xff\xfb\x90\x00"), make([]byte, 100)...), audio.ErrCorruptMP3},
		{"mp3", "the first 10 bytes", mp3[:10], audio.ErrCorruptMP3},
		{"mp3", "the first 1,000 bytes", mp3[:min(1000, len(mp3)-5)], audio.ErrTruncated},
		{"mp3", "the first 5,000 bytes", mp3[:min(5000, len(mp3)-3)], audio.ErrTruncated},
		{"mp3", "half the file and 7 bytes", mp3[:len(mp3)/2+7], audio.ErrTruncated},
		{"mp3", "all but the last byte", mp3[:len(mp3)-1], audio.ErrTruncated},
		{"mp3", "whole, with 128 bytes of ID3v1 tag after", append(append([]byte(nil), mp3...), append([]byte("TAG"), make([]byte, 125)...)...), nil},
	}
	return hs
}

// realWAV is a WAV file of espeak-ng speech as espeak-ng writes it.
func realWAV(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.wav")
	w, err := audio.CreateWAV(path, 22050, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(speech(t, 22050))
	w.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readStream reads a Stream to its end.
func readStream(s *audio.Stream) ([]float32, error) {
	var out []float32
	buf := make([]float32, 1000)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// Every hostile input is refused (or read) alike through Decode, DecodeFile,
// OpenStream and DecodeFileMono16k, with the error it should have; what is
// read streams to the same samples as the whole clip, and a file cut short
// is refused by name while Decode still gives its whole frames.
func TestDecode_HostileInputs(t *testing.T) {
	mp3, _ := mp3Of(t)
	wav := realWAV(t)
	dir := t.TempDir()
	cases := hostileBytes(mp3, wav)
	counts := map[string]int{}
	for i, h := range cases {
		counts[h.category]++
		t.Run(h.category+"/"+h.name, func(t *testing.T) {
			c, err := audio.Decode(h.data)
			if !errors.Is(err, h.want) || (h.want == nil) != (err == nil) {
				t.Fatalf("Decode: err = %v, want %v", err, h.want)
			}
			var te *audio.TruncatedError
			if errors.As(err, &te) {
				if te.Held >= te.Declared {
					t.Errorf("truncated, yet %d of %d bytes held", te.Held, te.Declared)
				}
				if strings.HasPrefix(h.name, "real") || strings.HasPrefix(h.name, "the first 5") {
					if c.Frames() == 0 {
						t.Error("a file cut short gave none of its frames")
					}
				}
			}
			path := filepath.Join(dir, "hostile"+string(rune('a'+i%26))+string(rune('a'+i/26))+".audio")
			if err := os.WriteFile(path, h.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := audio.DecodeFile(path); !errors.Is(err, h.want) || (h.want == nil) != (err == nil) {
				t.Errorf("DecodeFile: err = %v, want %v", err, h.want)
			} else if err != nil && !strings.Contains(err.Error(), filepath.Base(path)) {
				t.Errorf("DecodeFile: %q does not name the file", err)
			}
			got, err := audio.DecodeFileMono16k(path)
			if !errors.Is(err, h.want) || (h.want == nil) != (err == nil) {
				t.Fatalf("DecodeFileMono16k: err = %v, want %v", err, h.want)
			}
			if err == nil {
				want := c.Mono16k()
				if len(got) != len(want) {
					t.Fatalf("streamed %d samples, the whole clip gives %d", len(got), len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("sample %d: streamed %v, whole %v", i, got[i], want[i])
					}
				}
			}
		})
	}
	t.Logf("%d hostile byte inputs: %v", len(cases), counts)
}

// The message of a WAV file cut short says what its header declares and
// what the file holds.
func TestDecodeFile_TruncatedWAVSaysSo(t *testing.T) {
	wav := realWAV(t)
	path := filepath.Join(t.TempDir(), "file.wav")
	os.WriteFile(path, wav[:min(3000, len(wav)-1)], 0o600)
	want := "file.wav is truncated: its header declares " + strconv.Itoa(len(wav)-44) + " bytes of audio, the file holds 2956"
	for name, read := range map[string]func() error{
		"DecodeFile":        func() error { _, err := audio.DecodeFile(path); return err },
		"DecodeFileMono16k": func() error { _, err := audio.DecodeFileMono16k(path); return err },
		"OpenStream": func() error {
			s, err := audio.OpenStream(path)
			if err != nil {
				return err
			}
			defer s.Close()
			// The samples the file holds come first, then the error.
			got, err := readStream(s)
			if len(got) == 0 {
				t.Error("OpenStream: no samples before the error")
			}
			return err
		},
	} {
		if err := read(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

// Paths that are not regular files are refused at once, never read: an
// endless device, an empty one, a directory and a named pipe with no
// writer (opening it would wait for one).
func TestOpenStream_RefusesWhatIsNotAFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.wav")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/zero", "/dev/null", t.TempDir(), fifo} {
		if _, err := audio.OpenStream(path); !errors.Is(err, audio.ErrNotRegular) {
			t.Errorf("OpenStream(%s): %v, want ErrNotRegular", path, err)
		}
		if _, err := audio.DecodeFile(path); !errors.Is(err, audio.ErrNotRegular) {
			t.Errorf("DecodeFile(%s): %v, want ErrNotRegular", path, err)
		}
		if _, err := audio.DecodeFileMono16k(path); !errors.Is(err, audio.ErrNotRegular) {
			t.Errorf("DecodeFileMono16k(%s): %v, want ErrNotRegular", path, err)
		}
	}
	if _, err := audio.OpenStream(filepath.Join(t.TempDir(), "missing.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}
