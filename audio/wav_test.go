package audio_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/samojournal/samo/audio"
)

func sine(n, rate int, hz float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(0.6 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return s
}

func TestWAVWriter_RoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "take.wav")
	w, err := audio.CreateWAV(path, 16000, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := sine(40000, 16000, 440)
	for i := 0; i < len(want); i += 1600 {
		if err := w.Write(want[i:min(len(want), i+1600)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	clip, err := audio.DecodeWAV(data)
	if err != nil {
		t.Fatal(err)
	}
	if clip.Rate != 16000 || clip.Channels != 1 || clip.Frames() != len(want) {
		t.Fatalf("clip = %d Hz × %d, %d frames; want 16000 × 1, %d", clip.Rate, clip.Channels, clip.Frames(), len(want))
	}
	for i, v := range clip.Samples {
		if math.Abs(float64(v-want[i])) > 1.0/32767 {
			t.Fatalf("sample %d = %v, want %v", i, v, want[i])
		}
	}
}

// wavBytes builds a WAV file by hand: fmt chunk (plain or extensible), an
// unknown chunk of odd size to skip, then the data.
func wavBytes(format, bits uint16, chans, rate int, extensible bool, data []byte) []byte {
	var fmtc []byte
	tag := format
	if extensible {
		tag = 0xFFFE
	}
	fmtc = binary.LittleEndian.AppendUint16(fmtc, tag)
	fmtc = binary.LittleEndian.AppendUint16(fmtc, uint16(chans))
	fmtc = binary.LittleEndian.AppendUint32(fmtc, uint32(rate))
	fmtc = binary.LittleEndian.AppendUint32(fmtc, uint32(rate*chans*int(bits)/8))
	fmtc = binary.LittleEndian.AppendUint16(fmtc, uint16(chans*int(bits)/8))
	fmtc = binary.LittleEndian.AppendUint16(fmtc, bits)
	if extensible {
		fmtc = binary.LittleEndian.AppendUint16(fmtc, 22)
		fmtc = binary.LittleEndian.AppendUint16(fmtc, bits)
		fmtc = binary.LittleEndian.AppendUint32(fmtc, 0)
		fmtc = binary.LittleEndian.AppendUint16(fmtc, format)
		fmtc = append(fmtc, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71)
	}
	chunk := func(id string, body []byte) []byte {
		b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
		b = append(b, body...)
		if len(body)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	body := append([]byte("WAVE"), chunk("fmt ", fmtc)...)
	body = append(body, chunk("LIST", []byte("odd"))...)
	body = append(body, chunk("data", data)...)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

func TestDecodeWAV_Encodings(t *testing.T) {
	le16 := func(v ...int16) []byte {
		var b []byte
		for _, x := range v {
			b = binary.LittleEndian.AppendUint16(b, uint16(x))
		}
		return b
	}
	f32 := binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.5)), math.Float32bits(-0.25))
	f64 := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.5)), math.Float64bits(-0.25))
	tests := []struct {
		name       string
		format     uint16
		bits       uint16
		chans      int
		extensible bool
		data       []byte
		want       []float32
	}{
		{"pcm8", 1, 8, 1, false, []byte{192, 64}, []float32{0.5, -0.5}},
		{"pcm16 stereo", 1, 16, 2, false, le16(16384, -16384), []float32{0.5, -0.5}},
		{"pcm24", 1, 24, 1, false, []byte{0, 0, 0x40, 0, 0, 0xC0}, []float32{0.5, -0.5}},
		{"pcm32", 1, 32, 1, false, []byte{0, 0, 0, 0x40, 0, 0, 0, 0xC0}, []float32{0.5, -0.5}},
		{"float32", 3, 32, 1, false, f32, []float32{0.5, -0.25}},
		{"float64", 3, 64, 1, false, f64, []float32{0.5, -0.25}},
		{"extensible pcm16", 1, 16, 1, true, le16(16384, -16384), []float32{0.5, -0.5}},
		{"cut-short data keeps whole frames", 1, 16, 2, false, append(le16(16384, -16384), 1), []float32{0.5, -0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clip, err := audio.DecodeWAV(wavBytes(tt.format, tt.bits, tt.chans, 44100, tt.extensible, tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if clip.Rate != 44100 || clip.Channels != tt.chans || len(clip.Samples) != len(tt.want) {
				t.Fatalf("clip = %+v", clip)
			}
			for i, v := range clip.Samples {
				if math.Abs(float64(v-tt.want[i])) > 1e-6 {
					t.Errorf("sample %d = %v, want %v", i, v, tt.want[i])
				}
			}
		})
	}
}

func TestDecodeWAV_BadInput(t *testing.T) {
	good := wavBytes(1, 16, 1, 16000, false, []byte{1, 2, 3, 4})
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, audio.ErrNotWAV},
		{"mp3 bytes", []byte("ID3\x04\x00\x00\x00\x00\x00\x00 not wav"), audio.ErrNotWAV},
		{"header only", good[:14], audio.ErrTruncated},
		{"fmt cut short", good[:30], audio.ErrTruncated},
		{"a-law", wavBytes(6, 8, 1, 8000, false, []byte{1}), audio.ErrUnsupported},
		{"12-bit", wavBytes(1, 12, 1, 8000, false, []byte{1, 2}), audio.ErrUnsupported},
		{"no channels", wavBytes(1, 16, 0, 8000, false, []byte{1, 2}), audio.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := audio.DecodeWAV(tt.data); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzDecodeWAV(f *testing.F) {
	f.Add(wavBytes(1, 16, 1, 16000, false, []byte{1, 2, 3, 4}))
	f.Add(wavBytes(3, 32, 2, 48000, true, make([]byte, 16)))
	f.Add(wavBytes(1, 24, 1, 8000, false, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, data []byte) {
		clip, err := audio.DecodeWAV(data)
		if err != nil {
			return
		}
		if clip.Channels < 1 || len(clip.Samples)%clip.Channels != 0 {
			t.Fatalf("clip of %d samples over %d channels", len(clip.Samples), clip.Channels)
		}
		for _, v := range clip.Samples {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatal("non-finite sample")
			}
		}
	})
}

// The test binary doubles as a recorder that is killed mid-recording.
func TestMain(m *testing.M) {
	if path := os.Getenv("SAMO_WAV_CHILD"); path != "" {
		w, err := audio.CreateWAV(path, 16000, 1)
		if err != nil {
			fmt.Println("create:", err)
			os.Exit(3)
		}
		chunk := sine(1600, 16000, 300) // 0.1 s
		for i := 1; ; i++ {
			if err := w.Write(chunk); err != nil {
				fmt.Println("write:", err)
				os.Exit(4)
			}
			fmt.Printf("ack %d\n", i*len(chunk))
			time.Sleep(5 * time.Millisecond)
		}
	}
	if path := os.Getenv("SAMO_RECORD_CHILD"); path != "" {
		// A recording through PortAudio (HOME holds the virtual
		// microphone's configuration), acknowledging its length as it goes.
		_, err := audio.StartRecording(path, audio.RecordOptions{OnLevel: func(l audio.Level) {
			fmt.Printf("ack %d\n", int64(l.Elapsed)*audio.Rate/int64(time.Second))
		}})
		if err != nil {
			fmt.Println("record:", err)
			os.Exit(3)
		}
		select {}
	}
	os.Exit(m.Run())
}

func TestWAVWriter_SurvivesSIGKILL(t *testing.T) {
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "killed.wav")
		acked := killChildAfter(t, "SAMO_WAV_CHILD="+path, 16000*(2+round)) // 2–6 s recorded

		data, _ := os.ReadFile(path)
		clip, err := audio.DecodeWAV(data)
		if err != nil {
			t.Fatalf("round %d: the killed recording does not decode: %v", round, err)
		}
		if clip.Frames() < acked-16000 {
			t.Errorf("round %d: %d frames readable, %d acknowledged: more than a second lost", round, clip.Frames(), acked)
		}
		frames, err := audio.RepairWAV(path)
		if err != nil || frames < acked {
			t.Errorf("round %d: repaired to %d frames (%v), %d acknowledged", round, frames, err, acked)
		}
		data, _ = os.ReadFile(path)
		if c, err := audio.DecodeWAV(data); err != nil || c.Frames() != frames || !bytes.Equal(data[:4], []byte("RIFF")) {
			t.Errorf("round %d: repaired file: %d frames, %v", round, c.Frames(), err)
		}
	}
}

// killChildAfter runs this test binary as a child with env set (TestMain
// turns it into a writer that prints "ack N" for every N frames safely
// written), kills it with SIGKILL once it has acknowledged at least frames,
// and returns the last acknowledged count.
func killChildAfter(t *testing.T, env string, frames int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	acked := 0
	for sc.Scan() {
		n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "ack "))
		if err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		acked = n
		if acked >= frames {
			cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	cmd.Wait()
	return acked
}
