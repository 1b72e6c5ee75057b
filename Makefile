# SAMO — the Makefile is the contract: people and CI run the same targets.
#   make run    set up, build, and open the journal window
#   make test   set up, vet, and run every test (GUI ones under Xvfb)
#   make install    install SAMO as a desktop app into PREFIX (~/.local)
#   make package    a Linux bundle, dist/samo-VERSION-linux-amd64.tar.xz

GO       ?= go
TAGS     := migrated_fynedo
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin/samo
# CGO is needed by Fyne, PortAudio and onnxruntime; -race needs it too.
export CGO_ENABLED := 1

.PHONY: all deps build run test lint bench icon screenshot screenshots stalls coldstart train-emotions wordvec emotion-reference install uninstall package clean

all: build

## deps: install Debian packages, fetch onnxruntime and the VAD model, download Go modules
deps:
	@./scripts/deps.sh

## build: compile bin/samo
build: deps
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/samo

## run: open SAMO on the default journal (pass ARGS="--home DIR" to use another)
run: build
	./$(BIN) $(ARGS)

## install: build, then install SAMO like a desktop app (scripts/install.sh):
## PREFIX/bin/samo, onnxruntime in PREFIX/lib/samo/, the VAD model in
## PREFIX/lib/samo/models/, a menu entry and its icon under PREFIX/share/.
## PREFIX defaults to ~/.local (sudo make install PREFIX=/usr/local for all
## users); DESTDIR stages the files for a package.
PREFIX  ?= $(HOME)/.local
DESTDIR ?=
install: build
	./scripts/install.sh install --prefix '$(PREFIX)' --destdir '$(DESTDIR)' --bin $(BIN)

## uninstall: remove what make install put in PREFIX (journals are kept)
uninstall:
	./scripts/install.sh uninstall --prefix '$(PREFIX)' --destdir '$(DESTDIR)'

## package: the Linux bundle dist/samo-VERSION-linux-ARCH.tar.xz: fyne package
## (fyne.io/tools v1.7.4, from FyneApp.toml) plus onnxruntime, the VAD model,
## install.sh, a Makefile and a README, then checked unpacked (ldd, samo
## doctor from another folder). It runs on Debian 12 with these packages:
##   libgl1 libglx-mesa0 libgl1-mesa-dri libx11-6 libx11-xcb1 libxcursor1
##   libxi6 libxinerama1 libxrandr2 libxrender1 libxxf86vm1 libportaudio2
##   libasound2 (and libasound2-plugins to record through PulseAudio/PipeWire)
## (checked once in a debootstrap --variant=minbase bookworm with only those
## added: samo doctor found everything and the window opened)
package: build
	./scripts/package.sh $(VERSION)

## test: vet and run all tests with the race detector; SAMO_REQUIRE_GUI makes
## the real-window test fail, not skip, when Xvfb is missing, and
## SAMO_REQUIRE_ALL does the same for the tests of what make deps brings
## (the real GloVe vectors, python3-onnx's checker, desktop-file-validate).
## The PortAudio binding passes a stream id to C as a pointer, which the race detector's
## pointer checks reject, so they are off for that one package.
RACEFLAGS := -race -gcflags='github.com/gordonklaus/portaudio=-d=checkptr=0'
test: deps
	$(GO) vet -tags $(TAGS) ./...
	SAMO_REQUIRE_GUI=1 SAMO_REQUIRE_ALL=1 $(GO) test $(RACEFLAGS) -tags $(TAGS) -count=1 ./...
	cd third_party/locale && $(GO) vet ./... && $(GO) test -count=1 ./...

## lint: formatting, vet and staticcheck
lint: deps
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags $(TAGS) ./...

## bench: run the Go benchmarks and write BENCHMARKS.md
bench: deps build
	./scripts/bench.sh

## screenshots: open the real window under Xvfb on every screen (samo
## --screen NAME) and save docs/screen-NAME.png, then docs/window.png and,
## with its entry open, docs/entry.png
screenshots: deps
	SAMO_REQUIRE_GUI=1 SAMO_SCREENSHOTS=$(CURDIR)/docs SAMO_SCREENSHOT=$(CURDIR)/docs/window.png SAMO_SCREENSHOT_ENTRY=$(CURDIR)/docs/entry.png $(GO) test -tags $(TAGS) -count=1 -run 'TestGUI_(EveryScreen|WindowRenders)' ./cmd/samo

## screenshot: the same as screenshots (its older name)
screenshot: screenshots

## stalls: the longest stall of the real window's event loop while it
## saves a 5 MB text and transcribes 60 s of speech (random-weight
## whisper-base), under Xvfb; written to .cache/stalls.md for make bench
stalls: deps
	rm -f $(CURDIR)/.cache/stalls.md
	SAMO_REQUIRE_GUI=1 SAMO_STALLS=$(CURDIR)/.cache/stalls.md $(GO) test -tags $(TAGS) -count=1 -timeout 30m -run 'TestGUI_EventLoopStalls' -v ./cmd/samo

## coldstart: the time from starting bin/samo to its window showing, under
## Xvfb (median of 5)
coldstart: build
	./scripts/coldstart.sh $(BIN) 5

## train-emotions: train the default emotion model on GoEmotions into
## assets/emotion (about 17 minutes on 2 cores); ARGS=--dev for a quick
## run on a 5% subset into .cache/emotion-dev. GoEmotions is read from
## ../shared/data/goemotions or $$SAMO_GOEMOTIONS_DIR.
train-emotions: deps
	./scripts/fetch-glove.sh
	$(GO) run ./cmd/train-emotions $(ARGS)

## emotion-reference: write assets/emotion-reference.json, how the built-in
## emotion model's scores fall on GoEmotions dev (about 10 s), which emotion
## health compares a person's entries with; run it after train-emotions
emotion-reference: deps
	$(GO) run ./cmd/emotion-reference

## wordvec: build the default word-vector asset assets/wordvec (GloVe 6B
## 100-d retrofitted to WordNet 3.1's synonyms, uSIF; about 3 s) from
## .cache/glove, .cache/wordnet and the GoEmotions train texts, read from
## ../shared/data/goemotions or $$SAMO_GOEMOTIONS_DIR
wordvec: deps
	./scripts/fetch-glove.sh
	./scripts/fetch-wordnet.sh
	$(GO) run -tags $(TAGS) ./cmd/build-wordvec $(ARGS)

## icon: render assets/icon.png (a voice wave in the Okabe–Ito colours of feeling)
icon:
	convert -size 512x512 xc:none -fill '#1F2A44' -draw "roundrectangle 16,16 495,495 112,112" \
	  -fill '#56B4E9' -draw "roundrectangle 92,206 139,305 24,24" \
	  -fill '#0072B2' -draw "roundrectangle 164,146 211,365 24,24" \
	  -fill '#E69F00' -draw "roundrectangle 236,96 283,415 24,24" \
	  -fill '#CC79A7' -draw "roundrectangle 308,166 355,345 24,24" \
	  -fill '#009E73' -draw "roundrectangle 380,221 427,290 24,24" \
	  -resize 256x256 -strip PNG32:assets/icon.png

clean:
	rm -rf bin
	rm -f dist/samo-*.tar.xz
